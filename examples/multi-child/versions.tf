terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The lowest release that accepts the default runtime, python3.12 (provider
      # CHANGELOG, 5.32.0: aws_lambda_function runtime python3.12). See the README's
      # compatibility table for what each version is proven by.
      version = ">= 5.32.0"
    }
  }
}
