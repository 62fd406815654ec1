variable "create" {
  description = "Whether to create the grant."
  type        = bool
  default     = true
}

variable "role_name" {
  description = "Name of the existing IAM role in this account (an ECS task role, a CI role, a Lambda execution role) that receives the grant."
  type        = string

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be the name (not the ARN) of an IAM role: 1 to 64 letters, digits and +=,.@_-."
  }
}

variable "parent_role_arn" {
  description = "ARN of the role in the parent account that the grant allows assuming (the parent module's role_arn output)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$", var.parent_role_arn))
    error_message = "parent_role_arn must be an IAM role ARN such as arn:aws:iam::111111111111:role/SageMakerExternal (no wildcards)."
  }
}

variable "policy_name" {
  description = "Name of the inline policy put on the role."
  type        = string
  default     = "AssumeParentSageMakerRole"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.policy_name))
    error_message = "policy_name must be 1 to 128 letters, digits and +=,.@_-."
  }
}
