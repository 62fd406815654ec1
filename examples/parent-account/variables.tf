variable "region" {
  description = "Region of the endpoints and of the role's invoke policy."
  type        = string
  default     = "us-east-1"
}

variable "profile" {
  description = "AWS CLI profile for the parent (endpoint owner) account; null uses the default credential chain."
  type        = string
  default     = null
}

variable "role_to_assume" {
  description = "Optional role ARN the provider assumes (for example the ML platform pipeline's deployment role)."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prepended to every name, so several copies can share the account."
  type        = string
  default     = ""
}

variable "trusted_account_ids" {
  description = "Child (consumer) account IDs whose principals may assume the role."
  type        = list(string)
}

variable "trusted_principal_arn_patterns" {
  description = "ARN patterns of the child principals that may assume the role, e.g. arn:aws:iam::222222222222:role/sagemaker-invoker-exec (the child-account example's execution role). At least one: the module trusts whole accounts only when told to (trust_all_principals_in_accounts)."
  type        = list(string)
}

variable "external_ids" {
  description = "External IDs the role accepts; the child sends one of them. Several while one is rotated out. Keep them in a secret store both pipelines read."
  type        = list(string)
  sensitive   = true
}

variable "endpoint_names" {
  description = "Existing endpoints in this account to expose, in addition to the demo endpoint."
  type        = list(string)
  default     = []
}

variable "create_demo_endpoint" {
  description = "Create a small demo endpoint in this account (needs demo_model_image on real AWS)."
  type        = bool
  default     = false
}

variable "demo_endpoint_name" {
  description = "Name of the demo endpoint."
  type        = string
  default     = "demo-echo"
}

variable "demo_model_image" {
  description = "Container image (ECR URI) of the demo model."
  type        = string
  default     = null
}

variable "demo_instance_type" {
  description = "Instance type of the demo endpoint."
  type        = string
  default     = "ml.t2.medium"
}

variable "tags" {
  description = "Tags for everything created in the account."
  type        = map(string)
  default     = {}
}
