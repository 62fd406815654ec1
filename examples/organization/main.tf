# The endpoint owner's root for a whole organization of consumers.
#
# Every consuming account of the organization (or of the listed OUs) runs the child module
# with the same function name, so its execution role is <name_prefix><function_name>-exec
# in every account. The parent trusts that one name in any member account instead of one
# root and one pattern per account, so its trust policy keeps the same size however many
# accounts consume, and a new account onboards without a change here: it joins the OU,
# applies the child module with the shared external ID, and invokes.
#
# What it admits, and why that is enough: a principal must be in the organization (and in
# one of the OUs, if listed), be named exactly like the invoker role, hold an
# sts:AssumeRole grant in its own account, and send one of the external IDs. Whoever may
# create that role name in a member account can reach the endpoints, so reserve the name
# with a service control policy (deny iam:CreateRole on it to everyone but the pipeline
# that applies the child module). See the parent module's README for the comparison with
# the per-account mode.

locals {
  invoker_role_name = "${var.name_prefix}${var.invoker_function_name}-exec"
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

  name_prefix                = var.name_prefix
  endpoints                  = local.endpoint_names
  trust_scope                = "organization"
  trusted_organization_id    = var.organization_id
  trusted_organization_paths = var.organization_unit_paths
  # Any member account (*), but only the invoker's execution role, at the root path.
  trusted_principal_arn_patterns = ["arn:aws:iam::*:role/${local.invoker_role_name}"]
  external_ids                   = var.external_ids
  trust_policy_max_characters    = var.trust_policy_max_characters
}
