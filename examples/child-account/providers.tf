# The child account only. In an account baseline this root is applied by the consuming
# team's pipeline, with that pipeline's credentials: a named profile, a role to assume, or
# both. It never needs credentials for the parent account.
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
