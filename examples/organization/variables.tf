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

variable "name_prefix" {
  description = "Prepended to the parent's names and to the consumers' invoker role name (the child module's name_prefix)."
  type        = string
  default     = ""
}

variable "invoker_function_name" {
  description = "The function_name every consuming account gives the child module; its execution role is <name_prefix><function_name>-exec."
  type        = string
  default     = "sagemaker-invoker"
}

variable "organization_id" {
  description = "The AWS Organizations ID whose member accounts may consume, e.g. o-abcdef1234."
  type        = string
}

variable "organization_unit_paths" {
  description = "Optional OU paths that narrow the consumers further, e.g. o-abcdef1234/r-ab12/ou-ab12-11111111/ (a trailing * admits child OUs)."
  type        = list(string)
  default     = []
}

variable "external_ids" {
  description = "External IDs the role accepts; every consumer sends one of them. Keep them in a secret store the consumers' pipelines read."
  type        = list(string)
  sensitive   = true
}

variable "endpoint_names" {
  description = "Existing endpoints in this account the consumers may invoke, in addition to the demo endpoint."
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

variable "trust_policy_max_characters" {
  description = "The account's role trust policy quota; this mode stays far below the default 2048."
  type        = number
  default     = 2048
}

variable "tags" {
  description = "Tags for everything created in the account."
  type        = map(string)
  default     = {}
}
