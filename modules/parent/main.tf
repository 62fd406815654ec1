data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  role_name = "${var.name_prefix}${var.role_name}"

  # SageMaker writes the endpoint name in lower case inside its ARNs, so a policy built
  # from "My-Endpoint" must say endpoint/my-endpoint or every call is denied.
  endpoint_arns = distinct([
    for e in var.endpoints : (
      startswith(e, "arn:")
      ? "${join("/", slice(split("/", e), 0, 1))}/${lower(split("/", e)[1])}"
      : "arn:${local.partition}:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:endpoint/${lower(e)}"
    )
  ])

  # Each condition applies only when its input is set; AWS requires all of them to hold.
  string_equals = {
    for key, values in {
      "sts:ExternalId"     = var.require_external_id ? var.external_ids : []
      "aws:PrincipalOrgID" = var.trusted_organization_id == null ? [] : [var.trusted_organization_id]
    } : key => values if length(values) > 0
  }
  trust_conditions = {
    for operator, keys in {
      StringEquals = local.string_equals
      ArnLike      = { for key, values in { "aws:PrincipalArn" = var.trusted_principal_arn_patterns } : key => values if length(values) > 0 }
    } : operator => keys if length(keys) > 0
  }

  trust_policy = {
    Version = "2012-10-17"
    Statement = [merge(
      {
        Sid    = "TrustedAccountsAssumeRole"
        Effect = "Allow"
        Action = "sts:AssumeRole"
        # The account root (not a role ARN) keeps the trust valid when a child role is
        # created after this one or re-created; the ArnLike condition narrows it.
        Principal = { AWS = [for id in var.trusted_account_ids : "arn:${local.partition}:iam::${id}:root"] }
      },
      # merge() of an empty list adds nothing: no Condition key when there is no condition.
      [for c in [local.trust_conditions] : { Condition = c } if length(c) > 0]...
    )]
  }

  invoke_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeNamedEndpoints"
      Effect   = "Allow"
      Action   = var.invoke_actions
      Resource = local.endpoint_arns
    }]
  }
}

resource "aws_iam_policy" "invoke" {
  count = var.create ? 1 : 0

  name        = "${var.name_prefix}${var.policy_name}"
  path        = var.role_path
  description = "Invoke the named SageMaker endpoints; assumed from other accounts through ${local.role_name}."
  policy      = jsonencode(local.invoke_policy)
  tags        = var.tags
}

resource "aws_iam_role" "this" {
  #checkov:skip=CKV_AWS_61:cross-account trust of the account root is deliberate (a role ARN principal breaks when the child role is created later or re-created); it is narrowed by sts:ExternalId (required by default), the aws:PrincipalArn patterns and the optional aws:PrincipalOrgID
  count = var.create ? 1 : 0

  name                 = local.role_name
  path                 = var.role_path
  description          = "Assumed by trusted accounts to invoke SageMaker endpoints in this account."
  assume_role_policy   = jsonencode(local.trust_policy)
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "invoke" {
  count = var.create ? 1 : 0

  role       = aws_iam_role.this[0].name
  policy_arn = aws_iam_policy.invoke[0].arn
}
