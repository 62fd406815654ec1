# The parent (endpoint owner) half of the two-accounts example, as a root of its own.
#
# How it fits an account baseline:
# - The ML platform pipeline applies this root in the parent account, after (or with) the
#   endpoints it serves. Nothing here reads the child account: the trust is built from the
#   child's account ID and the name its invoker role will have, so this root can be applied
#   before the child exists and keeps working when the child's role is re-created.
# - The external ID is generated once and kept in a secret store both pipelines can read
#   (SSM Parameter Store, Secrets Manager, Vault); each pipeline passes it in as a
#   variable. Rotate it through the external_ids list.
# - Hand the outputs role_arn and endpoint_names to the consuming team (the child-account
#   example's parent_role_arn and endpoint_names), for example through the same store.

locals {
  # Taken from the module's output, so the parent's policy waits for the endpoint.
  endpoint_names = concat(module.demo_endpoint[*].endpoint_name, var.endpoint_names)
}

module "demo_endpoint" {
  source = "../two-accounts/demo-endpoint"
  count  = var.create_demo_endpoint ? 1 : 0

  name_prefix   = var.name_prefix
  endpoint_name = var.demo_endpoint_name
  model_image   = var.demo_model_image
  instance_type = var.demo_instance_type
}

module "parent" {
  source = "../../modules/parent"

  name_prefix         = var.name_prefix
  endpoints           = local.endpoint_names
  trusted_account_ids = var.trusted_account_ids
  # Narrow the trust to the consumers you mean: the child module's execution role is
  # <name_prefix><function_name>-exec in the child account.
  trusted_principal_arn_patterns = var.trusted_principal_arn_patterns
  external_ids                   = var.external_ids
}
