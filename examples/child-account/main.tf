# The child (consumer) half of the two-accounts example, as a root of its own.
#
# How it fits an account baseline:
# - The consuming team's pipeline applies this root in the child account, after the parent
#   root. It takes only three values from the parent side: parent_role_arn and
#   endpoint_names (the parent root's outputs, published by the ML platform team) and the
#   external ID (read from the secret store both pipelines share, never from the parent's
#   state).
# - The parent's trusted_principal_arn_patterns must match this Lambda's execution role,
#   arn:aws:iam::<this account>:role/<execution_role_name>. Agree the name with the
#   platform team and set execution_role_name to it (the execution_role_arn output shows
#   the result); left null, the module names it <name_prefix><function_name>-exec.

module "child" {
  source = "../../modules/child"

  name_prefix         = var.name_prefix
  function_name       = var.function_name
  execution_role_name = var.execution_role_name
  parent_role_arn     = var.parent_role_arn
  external_id         = var.external_id
  endpoint_names      = var.endpoint_names
  endpoint_region     = var.endpoint_region
  runtime             = var.lambda_runtime
}
