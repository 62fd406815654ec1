# The parent account only, with the endpoint owner's pipeline credentials.
provider "aws" {
  region  = var.region
  profile = var.profile

  default_tags {
    tags = var.tags
  }
}
