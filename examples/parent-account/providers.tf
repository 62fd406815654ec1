# The parent account only. In an account baseline this root is applied by the pipeline that
# owns the endpoints (the ML platform team's), with that pipeline's credentials: a named
# profile, a role to assume, or both.
provider "aws" {
  region  = var.region
  profile = var.profile

  dynamic "assume_role" {
    for_each = var.role_to_assume == null ? [] : [var.role_to_assume]
    content {
      role_arn = assume_role.value
    }
  }

  default_tags {
    tags = var.tags
  }
}
