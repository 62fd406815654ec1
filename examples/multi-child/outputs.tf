output "parent_role_arn" {
  description = "The one role in the parent account every child's Lambda assumes."
  value       = module.parent.role_arn
}

output "function_names" {
  description = "Invoker Lambda of each child, by child."
  value       = { for c, m in module.child : c => m.function_name }
}

output "execution_role_arns" {
  description = "Execution role of each child's Lambda, by child: the principals the parent's trust admits."
  value       = { for c, m in module.child : c => m.execution_role_arn }
}

output "trusted_principal_arn_patterns" {
  description = "The aws:PrincipalArn patterns in the parent role's trust."
  value       = local.execution_role_patterns
}

output "endpoint_names" {
  description = "Endpoints the Lambdas may call."
  value       = local.endpoint_names
}
