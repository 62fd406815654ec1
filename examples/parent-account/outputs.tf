output "role_arn" {
  description = "The role child accounts assume: the child-account example's parent_role_arn."
  value       = module.parent.role_arn
}

output "endpoint_names" {
  description = "Endpoints the role may invoke: the child-account example's endpoint_names."
  value       = local.endpoint_names
}

output "endpoint_arns" {
  description = "ARNs the role's policy allows, endpoint names lower-cased as SageMaker writes them."
  value       = module.parent.endpoint_arns
}
