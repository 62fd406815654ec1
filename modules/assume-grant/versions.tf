terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Nothing this configuration uses with its default inputs needs a newer release
      # than 3.39.0, the oldest it is applied with (see the README's compatibility table).
      version = ">= 3.39"
    }
  }
}
