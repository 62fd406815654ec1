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

variable "organization_id" {
  description = "The organization the parent role requires of its callers."
  type        = string
}

variable "external_ids" {
  description = "External IDs the parent role accepts (the current one and the one being retired)."
  type        = list(string)
}
