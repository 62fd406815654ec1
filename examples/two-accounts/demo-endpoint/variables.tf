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
    condition     = var.model_image != null && length(coalesce(var.model_image, "")) > 0
    error_message = "model_image must name the container image of the demo model (an ECR image URI)."
  }
}

variable "instance_type" {
  description = "Instance type of the endpoint."
  type        = string
  default     = "ml.t2.medium"
}
