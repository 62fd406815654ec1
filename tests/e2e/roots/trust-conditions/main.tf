# The parent module's trust conditions: external-ID rotation (several accepted) and
# aws:PrincipalOrgID, exercised by tests/e2e/test_trust_conditions.py with plain boto3.

module "parent" {
  source    = "../../../../modules/parent"
  providers = { aws = aws.parent }

  name_prefix                    = var.name_prefix
  endpoints                      = ["${var.name_prefix}scoring"]
  trusted_account_ids            = [var.child_account_id]
  trusted_principal_arn_patterns = ["arn:aws:iam::${var.child_account_id}:role/${var.name_prefix}app-*"]
  trusted_organization_id        = var.organization_id
  external_ids                   = var.external_ids
}

# Stands in for an existing workload role (an ECS task role, a CI role).
resource "aws_iam_role" "app" {
  provider = aws.child
  name     = "${var.name_prefix}app-orders"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.child_account_id}:root" } }]
  })
}

module "grant" {
  source    = "../../../../modules/assume-grant"
  providers = { aws = aws.child }

  role_name       = aws_iam_role.app.name
  parent_role_arn = module.parent.role_arn
}
