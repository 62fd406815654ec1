variable "region" {
  description = "Region of both accounts."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "The run's unique prefix."
  type        = string
}

variable "child_account_id" {
  description = "The consumer account."
  type        = string
}

variable "parent_account_id" {
  description = "The endpoint owner's account (names the model image)."
  type        = string
}

variable "external_id" {
  description = "The external ID the parent role requires."
  type        = string
}
