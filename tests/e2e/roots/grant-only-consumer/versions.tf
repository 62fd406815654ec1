terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
  }
}

# Completed for each run by a generated override (xacct/provider_override.py): the
# emulator's keys and endpoints, or a real account's profile or role.
provider "aws" {
  alias  = "parent"
  region = var.region
}

provider "aws" {
  alias  = "child"
  region = var.region
}
