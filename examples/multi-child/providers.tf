# One provider per account. Give each a named profile or a role to assume (or both).
provider "aws" {
  alias   = "parent"
  region  = var.region
  profile = var.parent_profile

  dynamic "assume_role" {
    for_each = var.parent_role_to_assume == null ? [] : [var.parent_role_to_assume]
    content {
      role_arn = assume_role.value
    }
  }

  default_tags {
    tags = var.tags
  }
}

provider "aws" {
  alias   = "child"
  region  = var.region
  profile = var.child_profile

  dynamic "assume_role" {
    for_each = var.child_role_to_assume == null ? [] : [var.child_role_to_assume]
    content {
      role_arn = assume_role.value
    }
  }

  default_tags {
    tags = var.tags
  }
}
