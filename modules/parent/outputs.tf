output "role_arn" {
  description = "ARN of the role child accounts assume. Give it to the child module as parent_role_arn."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_name" {
  description = "Name of the role child accounts assume."
  value       = try(aws_iam_role.this[0].name, null)
}

output "policy_arn" {
  description = "ARN of the managed policy that allows invoking the endpoints."
  value       = try(aws_iam_policy.invoke[0].arn, null)
}

output "endpoint_arns" {
  description = "Endpoint ARNs the role may invoke, names lower-cased as SageMaker writes them."
  value       = local.endpoint_arns
}

output "trust_policy_json" {
  description = "The role's trust policy as rendered. Sensitive because it holds the external IDs."
  value       = jsonencode(local.trust_policy)
  sensitive   = true
}

output "invoke_policy_json" {
  description = "The invoke policy as rendered."
  value       = jsonencode(local.invoke_policy)
}
