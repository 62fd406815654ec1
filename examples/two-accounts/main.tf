data "aws_caller_identity" "child" {
  provider = aws.child
}

locals {
  child_account_id = data.aws_caller_identity.child.account_id
  function_name    = "sagemaker-invoker"
  # Named once here and given to both sides: the child module creates the role under this
  # name and the parent's trust admits exactly it.
  execution_role_name = "${var.name_prefix}${local.function_name}-exec"
  # Taken from the module's output, so the parent's policy waits for the endpoint.
  endpoint_names = concat(module.demo_endpoint[*].endpoint_name, var.endpoint_names)
}

# --- Parent account: the endpoint owner ---------------------------------------------

module "demo_endpoint" {
  source = "./demo-endpoint"
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
  # resources to inline skips by type.name only, and the child's aws_iam_role.this shadows it.
  #checkov:skip=CKV_AWS_61:cross-account trust of the child account root is deliberate (a role ARN principal breaks when the child role is created later or re-created); it is narrowed by sts:ExternalId and the aws:PrincipalArn pattern of the invoker's execution role
  source = "../../modules/parent"

  providers = {
    aws = aws.parent
  }

  name_prefix         = var.name_prefix
  endpoints           = local.endpoint_names
  trusted_account_ids = [local.child_account_id]
  # Only the invoker's execution role, by pattern, so the trust survives its re-creation.
  trusted_principal_arn_patterns = ["arn:aws:iam::${local.child_account_id}:role/${local.execution_role_name}"]
  external_ids                   = [var.external_id]
}

# --- Child account: the consumer ----------------------------------------------------

module "child" {
  source = "../../modules/child"

  providers = {
    aws = aws.child
  }

  name_prefix         = var.name_prefix
  function_name       = local.function_name
  execution_role_name = local.execution_role_name
  parent_role_arn     = module.parent.role_arn
  external_id         = var.external_id
  endpoint_names      = local.endpoint_names
  attach_assume_grant = var.grant_child_assume
  runtime             = var.lambda_runtime
}
