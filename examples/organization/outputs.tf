output "role_arn" {
  description = "The role every consuming account assumes: the child module's parent_role_arn."
  value       = module.parent.role_arn
}

output "endpoint_names" {
  description = "Endpoints the role may invoke: the child module's endpoint_names in every consuming account."
  value       = local.endpoint_names
}

output "endpoint_arns" {
  description = "ARNs the role's policy allows."
  value       = module.parent.endpoint_arns
}

output "policy_sizes" {
  description = "Sizes of the rendered policies; the trust policy's does not change as accounts join."
  value       = module.parent.policy_sizes
}
