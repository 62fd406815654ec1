output "policy_json" {
  description = "The grant as rendered."
  value       = jsonencode(local.policy)
}

output "policy_id" {
  description = "ID of the inline policy (role:policy)."
  value       = try(aws_iam_role_policy.assume_parent[0].id, null)
}
