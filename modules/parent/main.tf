data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  # The region is read from the EC2 endpoint the data source reports (ec2.REGION.amazonaws.com):
  # `name` is deprecated from provider 6.0, `id` from 6.47, and `region` does not exist on 3.x,
  # so each of those would warn or fail on some provider version we support.
  region = regex("[a-z]{2}(?:-[a-z]+)+-[0-9]+", data.aws_region.current.endpoint)

  # Each prefix defaults to name_prefix, so a team can keep a fixed role name and still prefix the policy.
  role_name_prefix   = var.role_name_prefix != null ? var.role_name_prefix : var.name_prefix
  policy_name_prefix = var.policy_name_prefix != null ? var.policy_name_prefix : var.name_prefix
  role_name          = "${local.role_name_prefix}${var.role_name}"
  policy_name        = "${local.policy_name_prefix}${var.policy_name}"

  organization_mode = var.trust_scope == "organization"

  # Each endpoint as written and with its name lower-cased. Public reports disagree on which
  # spelling IAM compares for a mixed-case endpoint (see the README); granting both covers
  # either behaviour and still names one endpoint. Lower-case names give a single ARN.
  endpoint_arns_as_written = [
    for e in var.endpoints : startswith(e, "arn:") ? e : "arn:${local.partition}:sagemaker:${local.region}:${data.aws_caller_identity.current.account_id}:endpoint/${e}"
  ]
  endpoint_arns = distinct(flatten([
    for arn in local.endpoint_arns_as_written : [
      "${split("/", arn)[0]}/${lower(split("/", arn)[1])}",
      arn,
    ]
  ]))

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
      # aws:PrincipalOrgPaths is multivalued, hence the set operator (IAM User Guide: global condition context keys).
      "ForAnyValue:StringLike" = { for key, values in { "aws:PrincipalOrgPaths" = var.trusted_organization_paths } : key => values if length(values) > 0 }
    } : operator => keys if length(keys) > 0
  }

  # Per-account mode: the account roots (not role ARNs) keep the trust valid when a child role
  # is created after this one or re-created; the conditions narrow it. Organization mode: any
  # principal, narrowed by aws:PrincipalOrgID (and OU paths), the ARN patterns and the
  # external ID, so the document does not grow with the number of consuming accounts.
  trusted_account_roots = [for id in var.trusted_account_ids : "arn:${local.partition}:iam::${id}:root"]

  trust_policy = {
    Version = "2012-10-17"
    Statement = [merge(
      {
        Sid       = local.organization_mode ? "OrganizationPrincipalsAssumeRole" : "TrustedAccountsAssumeRole"
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = { accounts = local.trusted_account_roots, organization = "*" }[var.trust_scope] }
      },
      # merge() of an empty list adds nothing: no Condition key when there is no condition.
      [for c in [local.trust_conditions] : { Condition = c } if length(c) > 0]...
    )]
  }

  # The IAM actions each kind of call needs. The SageMaker Runtime API Reference says of
  # InvokeEndpointWithResponseStream: "your IAM permissions must allow the
  # sagemaker:InvokeEndpoint action"; the action of that name in the Service Authorization
  # Reference is granted beside it so a policy keeps working should AWS ever check it.
  actions_for = {
    sync   = ["sagemaker:InvokeEndpoint"]
    stream = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"]
    async  = ["sagemaker:InvokeEndpointAsync"]
  }
  invoke_actions = sort(distinct(flatten([for c in var.allowed_invocations : local.actions_for[c]])))

  invoke_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid      = "InvokeNamedEndpoints"
      Effect   = "Allow"
      Action   = local.invoke_actions
      Resource = local.endpoint_arns
    }]
  }

  # IAM counts policy size without whitespace, which is what jsonencode writes (IAM User
  # Guide, "IAM and AWS STS quotas"). The trust policy is checked by a validation of
  # var.trust_policy_max_characters, the invoke policy by a precondition on its resource.
  invoke_policy_max_characters = 6144 # a managed policy's quota, not adjustable
  trust_policy_default_quota   = 2048 # a role trust policy's quota, adjustable ...
  trust_policy_largest_quota   = 4096 # ... up to this
  # A size reveals nothing of the external IDs it counts, so it may be shown in messages and outputs.
  trust_policy_chars  = nonsensitive(length(jsonencode(local.trust_policy)))
  invoke_policy_chars = length(jsonencode(local.invoke_policy))
  # What each consuming account adds in per-account mode: its root principal and its patterns
  # (an average, quotes and commas included); the rest is the fixed part of the document.
  trust_variable_chars                 = length(jsonencode(local.trusted_account_roots)) + length(jsonencode(var.trusted_principal_arn_patterns))
  trust_chars_per_consumer             = max(1, local.trust_variable_chars / max(1, length(var.trusted_account_ids)))
  trust_chars_per_consumer_rounded     = floor(local.trust_chars_per_consumer + 0.5)
  trust_fixed_chars                    = local.trust_policy_chars - local.trust_variable_chars
  trust_consumers_within_default_quota = max(0, floor((local.trust_policy_default_quota - local.trust_fixed_chars) / local.trust_chars_per_consumer))
  trust_consumers_within_raised_quota  = max(0, floor((local.trust_policy_largest_quota - local.trust_fixed_chars) / local.trust_chars_per_consumer))
}

resource "aws_iam_policy" "invoke" {
  count = var.create ? 1 : 0

  lifecycle {
    # A validation of var.endpoints cannot read the policy those endpoints feed, hence a precondition.
    precondition {
      condition     = local.invoke_policy_chars <= local.invoke_policy_max_characters
      error_message = "endpoints make an invoke policy of ${local.invoke_policy_chars} characters (whitespace excluded), over IAM's limit of ${local.invoke_policy_max_characters} for a managed policy (IAM User Guide, IAM and AWS STS quotas): name fewer endpoints, cover a family with one wildcard name such as fraud-*, or split them across two copies of the module."
    }
  }

  name        = local.policy_name
  path        = var.role_path
  description = "Invoke the named SageMaker endpoints; assumed from other accounts through ${local.role_name}."
  policy      = jsonencode(local.invoke_policy)
  tags        = var.tags
}

resource "aws_iam_role" "this" {
  #checkov:skip=CKV_AWS_61:cross-account trust of the account root is deliberate (a role ARN principal breaks when the child role is created later or re-created); it is narrowed by sts:ExternalId (required by default), the aws:PrincipalArn patterns (required unless trust_all_principals_in_accounts) and the optional aws:PrincipalOrgID
  #checkov:skip=CKV_AWS_60:the "*" principal appears only with trust_scope = organization, where aws:PrincipalOrgID, the aws:PrincipalArn patterns and sts:ExternalId (all required in that mode) must each hold
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
