output "function_name" {
  description = "Name of the invoker Lambda function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "function_arn" {
  description = "ARN of the invoker Lambda function; callers need lambda:InvokeFunction on it."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "execution_role_arn" {
  description = "ARN of the function's execution role (the principal the parent's trust policy sees)."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "execution_role_name" {
  description = "Name of the function's execution role."
  value       = try(aws_iam_role.this[0].name, null)
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "assume_policy_json" {
  description = "The execution role's grant to assume the parent role, as rendered."
  value       = module.assume_grant.policy_json
}

output "package_sha256" {
  description = "Base64 SHA-256 of the deployed package."
  value       = filebase64sha256(local.package_path)
}
