variable "region" {
  description = "Region of both accounts' resources."
  type        = string
  default     = "us-east-1"
}

variable "parent_profile" {
  description = "AWS CLI profile for the parent (endpoint owner) account; null uses the default credential chain."
  type        = string
  default     = null
}

variable "parent_role_to_assume" {
  description = "Optional role ARN the parent provider assumes."
  type        = string
  default     = null
}

variable "child_profile" {
  description = "AWS CLI profile for the child (consumer) account; null uses the default credential chain."
  type        = string
  default     = null
}

variable "child_role_to_assume" {
  description = "Optional role ARN the child provider assumes."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prepended to every name, so several copies can share the accounts."
  type        = string
  default     = ""
}

variable "children" {
  description = "Consumers in the child account, one invoker Lambda each (<name_prefix><child>-sagemaker-invoker), all trusted by the one parent role."
  type        = set(string)
  default     = ["team-a", "team-b"]

  validation {
    condition     = length(var.children) > 0 && alltrue([for c in var.children : can(regex("^[a-zA-Z0-9_-]{1,22}$", c))])
    error_message = "children must name at least one consumer, each 1 to 22 letters, digits, hyphens and underscores (it becomes part of the Lambda function name)."
  }
}

variable "external_id" {
  description = "Shared external ID: the parent's trust requires it and every child's Lambda sends it."
  type        = string
  sensitive   = true
}

variable "endpoint_names" {
  description = "Existing endpoints in the parent account to expose, in addition to the demo endpoint."
  type        = list(string)
  default     = []
}

variable "create_demo_endpoint" {
  description = "Create a small demo endpoint in the parent account (needs demo_model_image on real AWS)."
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

variable "lambda_runtime" {
  description = "Runtime of the invoker Lambdas."
  type        = string
  default     = "python3.12"
}

variable "tags" {
  description = "Tags for everything created in both accounts."
  type        = map(string)
  default     = {}
}
