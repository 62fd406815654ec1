terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

# Completed for each run by a generated override (xacct/provider_override.py).
provider "aws" {
  region = var.region
}
