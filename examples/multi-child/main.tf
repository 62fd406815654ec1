# One parent role trusted by several consumers in the child account: one invoker Lambda per
# entry of var.children. The parent's trust admits exactly their execution roles (by ARN
# pattern) and nothing else of the child account, and no other account.

data "aws_caller_identity" "child" {
  provider = aws.child
}

data "aws_partition" "child" {
  provider = aws.child
}

locals {
  child_account_id = data.aws_caller_identity.child.account_id
  function_names   = { for c in var.children : c => "${c}-sagemaker-invoker" }
  # Named once here and given to both sides: each child module creates its role under this
  # name and the parent's trust admits exactly these roles.
  execution_role_names = { for c in var.children : c => "${var.name_prefix}${local.function_names[c]}-exec" }
  execution_role_patterns = [
    for c in sort(tolist(var.children)) :
    "arn:${data.aws_partition.child.partition}:iam::${local.child_account_id}:role/${local.execution_role_names[c]}"
  ]
  # Taken from the module's output, so the parent's policy waits for the endpoint.
  endpoint_names = concat(module.demo_endpoint[*].endpoint_name, var.endpoint_names)
}

# --- Parent account: the endpoint owner ---------------------------------------------

module "demo_endpoint" {
  source = "../two-accounts/demo-endpoint"
  count  = var.create_demo_endpoint ? 1 : 0

  providers = {
    aws = aws.parent
  }

  name_prefix   = var.name_prefix
  endpoint_name = var.demo_endpoint_name
  model_image   = var.demo_model_image
  instance_type = var.demo_instance_type
}

module "parent" {
  # Repeats the skip on the module's aws_iam_role.this for plan scans: checkov matches plan
  # resources to inline skips by type.name only, and the children's aws_iam_role.this shadows it.
  #checkov:skip=CKV_AWS_61:cross-account trust of the child account root is deliberate (a role ARN principal breaks when a child role is created later or re-created); it is narrowed by sts:ExternalId and one aws:PrincipalArn pattern per child's execution role
  source = "../../modules/parent"

  providers = {
    aws = aws.parent
  }

  name_prefix         = var.name_prefix
  endpoints           = local.endpoint_names
  trusted_account_ids = [local.child_account_id]
  # One pattern per consumer: adding a child to var.children widens the trust by exactly one role.
  trusted_principal_arn_patterns = local.execution_role_patterns
  external_ids                   = [var.external_id]
}

# --- Child account: the consumers ---------------------------------------------------

module "child" {
  source   = "../../modules/child"
  for_each = local.function_names

  providers = {
    aws = aws.child
  }

  name_prefix         = var.name_prefix
  function_name       = each.value
  execution_role_name = local.execution_role_names[each.key]
  parent_role_arn     = module.parent.role_arn
  external_id         = var.external_id
  endpoint_names      = local.endpoint_names
  runtime             = var.lambda_runtime
}
