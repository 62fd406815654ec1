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
  description = "Endpoint ARNs the role may invoke: each name lower-cased, and also as written when it has upper-case letters."
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

output "policy_sizes" {
  description = "Characters (whitespace excluded, as IAM counts them) of the rendered trust and invoke policies, and the trust policy limit they were checked against."
  value = {
    trust_policy        = local.trust_policy_chars
    trust_policy_limit  = var.trust_policy_max_characters
    invoke_policy       = local.invoke_policy_chars
    invoke_policy_limit = local.invoke_policy_max_characters
  }
}
