output "task_role_arn" {
  description = "The workload role."
  value       = aws_iam_role.orders_task.arn
}

output "task_role_name" {
  description = "The workload role's name."
  value       = aws_iam_role.orders_task.name
}

output "parent_role_arn" {
  description = "The parent role it may assume."
  value       = module.parent.role_arn
}

output "endpoint_name" {
  description = "The parent's endpoint."
  value       = aws_sagemaker_endpoint.echo.name
}
