variable "region" {
  description = "Region of the Lambda; the endpoints are called in endpoint_region, by default this one."
  type        = string
  default     = "us-east-1"
}

variable "profile" {
  description = "AWS CLI profile for the child (consumer) account; null uses the default credential chain."
  type        = string
  default     = null
}

variable "role_to_assume" {
  description = "Optional role ARN the provider assumes (for example the consuming team's deployment role)."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prepended to every name, so several copies can share the account."
  type        = string
  default     = ""
}

variable "function_name" {
  description = "Name of the invoker Lambda (after name_prefix)."
  type        = string
  default     = "sagemaker-invoker"
}

variable "execution_role_name" {
  description = "Name of the Lambda's execution role, as agreed with the parent account's trusted_principal_arn_patterns. Null names it <name_prefix><function_name>-exec."
  type        = string
  default     = null
}

variable "parent_role_arn" {
  description = "The parent-account example's role_arn output."
  type        = string
}

variable "external_id" {
  description = "One of the parent's external_ids, read from the secret store both pipelines share."
  type        = string
  sensitive   = true
}

variable "endpoint_names" {
  description = "The parent-account example's endpoint_names output (or the subset this account uses)."
  type        = list(string)
}

variable "endpoint_region" {
  description = "Region of the parent's endpoints; null means the provider's region."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Runtime of the invoker Lambda."
  type        = string
  default     = "python3.12"
}

variable "tags" {
  description = "Tags for everything created in the account."
  type        = map(string)
  default     = {}
}
