output "function_name" {
  description = "The invoker Lambda in the child account."
  value       = module.child.function_name
}

output "function_arn" {
  description = "ARN of the invoker Lambda."
  value       = module.child.function_arn
}

output "parent_role_arn" {
  description = "The role in the parent account the Lambda assumes."
  value       = module.parent.role_arn
}

output "execution_role_arn" {
  description = "The Lambda's execution role in the child account."
  value       = module.child.execution_role_arn
}

output "endpoint_names" {
  description = "Endpoints the Lambda may call."
  value       = local.endpoint_names
}
