variable "name_prefix" {
  description = "Prepended to every name."
  type        = string
  default     = ""
}

variable "endpoint_name" {
  description = "Name of the endpoint (after name_prefix is not applied: callers use this exact name)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "model_image" {
  description = "Container image (ECR URI) that serves the model."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})?$", coalesce(var.model_image, "-")))
    error_message = "model_image must be an ECR image URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG or @sha256:DIGEST]: the execution role is granted pull on that repository only."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch Logs keeps the endpoint's container logs."
  type        = number
  default     = 14
}

variable "instance_type" {
  description = "Instance type of the endpoint."
  type        = string
  default     = "ml.t2.medium"
}
