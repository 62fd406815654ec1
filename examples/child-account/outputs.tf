output "function_name" {
  description = "The invoker Lambda in this account."
  value       = module.child.function_name
}

output "function_arn" {
  description = "ARN of the invoker Lambda; callers need lambda:InvokeFunction on it."
  value       = module.child.function_arn
}

output "execution_role_arn" {
  description = "The Lambda's execution role: the principal the parent's trusted_principal_arn_patterns must match."
  value       = module.child.execution_role_arn
}

output "execution_role_name" {
  description = "Name of the Lambda's execution role."
  value       = module.child.execution_role_name
}
