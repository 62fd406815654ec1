output "parent_role_arn" {
  description = "The parent role under test."
  value       = module.parent.role_arn
}

output "app_role_arn" {
  description = "The workload role that assumes it."
  value       = aws_iam_role.app.arn
}
