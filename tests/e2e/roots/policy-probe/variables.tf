variable "region" {
  description = "Region of the account."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "The policy's name (the run's unique prefix plus a suffix)."
  type        = string
}
