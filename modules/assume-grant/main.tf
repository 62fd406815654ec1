# The one permission a consumer needs in the child account: assume the parent's role.
# Cross-account AssumeRole is allowed only when both this grant and the parent's trust
# policy allow it; without this grant STS answers "is not authorized to perform: sts:AssumeRole".
locals {
  policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid      = "AssumeParentSageMakerRole"
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = var.parent_role_arn
    }]
  }
}

resource "aws_iam_role_policy" "assume_parent" {
  count = var.create ? 1 : 0

  name   = var.policy_name
  role   = var.role_name
  policy = jsonencode(local.policy)
}
