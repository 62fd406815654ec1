variable "create" {
  description = "Whether to create any resource. Lets a baseline include the module for every account and switch it on where an endpoint lives."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prepended to every resource name, so several copies (or test runs) can live in one account."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[\\w+=,.@-]{0,32}$", var.name_prefix))
    error_message = "name_prefix may hold at most 32 of the characters IAM allows in names: letters, digits and +=,.@_-."
  }
}

variable "role_name" {
  description = "Name of the role child accounts assume (after name_prefix)."
  type        = string
  default     = "SageMakerExternal"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 of the characters IAM allows in role names: letters, digits and +=,.@_-."
  }
}

variable "policy_name" {
  description = "Name of the managed policy that allows invoking the endpoints (after name_prefix)."
  type        = string
  default     = "SageMakerExternalInvokeEndpoint"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.policy_name))
    error_message = "policy_name must be 1 to 128 of the characters IAM allows in policy names: letters, digits and +=,.@_-."
  }
}

variable "role_path" {
  description = "Path of the role and the policy."
  type        = string
  default     = "/"

  validation {
    condition     = can(regex("^/([\\x21-\\x7e]{1,510}/)?$", var.role_path))
    error_message = "role_path must begin and end with / and hold only printable ASCII without spaces, 512 characters at most."
  }
}

variable "endpoints" {
  description = "SageMaker endpoints the role may invoke: names in this account and region, or endpoint ARNs. Names are lower-cased in the ARNs, as SageMaker does. A wildcard (*, ?) is honoured only when written here explicitly."
  type        = list(string)

  validation {
    condition     = length(var.endpoints) > 0
    error_message = "endpoints must name at least one SageMaker endpoint (name or ARN)."
  }

  validation {
    condition = alltrue([
      for e in var.endpoints :
      can(regex("^[a-zA-Z0-9*?](-*[a-zA-Z0-9*?]){0,62}$", e)) ||
      can(regex("^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:endpoint/[a-zA-Z0-9*?](-*[a-zA-Z0-9*?]){0,62}$", e))
    ])
    error_message = "endpoints must hold endpoint names (1-63 letters, digits and hyphens, starting and ending with a letter or digit) or ARNs of the form arn:aws:sagemaker:REGION:ACCOUNT_ID:endpoint/NAME."
  }
}

variable "invoke_actions" {
  description = "SageMaker actions the role may perform on the endpoints. sagemaker:InvokeEndpoint also authorizes InvokeEndpointWithResponseStream."
  type        = list(string)
  default     = ["sagemaker:InvokeEndpoint"]

  validation {
    condition     = length(var.invoke_actions) > 0 && alltrue([for a in var.invoke_actions : contains(["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync", "sagemaker:InvokeEndpointWithResponseStream"], a)])
    error_message = "invoke_actions must be a non-empty list drawn from sagemaker:InvokeEndpoint, sagemaker:InvokeEndpointAsync and sagemaker:InvokeEndpointWithResponseStream."
  }
}

variable "trusted_account_ids" {
  description = "AWS account IDs whose principals may assume the role (subject to the conditions below)."
  type        = list(string)

  validation {
    condition     = length(var.trusted_account_ids) > 0
    error_message = "trusted_account_ids must list at least one account ID."
  }

  validation {
    condition     = alltrue([for id in var.trusted_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "trusted_account_ids must hold AWS account IDs of exactly 12 digits."
  }
}

variable "trusted_principal_arn_patterns" {
  description = "Optional ARN patterns (ArnLike on aws:PrincipalArn) that narrow which principals of the trusted accounts may assume the role, e.g. arn:aws:iam::222222222222:role/app-*. Trusting the account plus this condition keeps working when a child role is created later or re-created."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.trusted_principal_arn_patterns : can(regex("^arn:aws[a-z-]*:(iam|sts)::([0-9]{12}|\\*):[^\\s]+$", p))])
    error_message = "trusted_principal_arn_patterns must hold IAM principal ARNs such as arn:aws:iam::222222222222:role/NAME (wildcards * and ? allowed in the name)."
  }
}

variable "trusted_organization_id" {
  description = "Optional AWS Organizations ID (aws:PrincipalOrgID): when set, only principals of that organization may assume the role."
  type        = string
  default     = null

  validation {
    condition     = var.trusted_organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.trusted_organization_id))
    error_message = "trusted_organization_id must look like o-abcd123456 (o- then 10 to 32 lower-case letters or digits)."
  }
}

variable "require_external_id" {
  description = "Require sts:ExternalId on AssumeRole (confused-deputy protection). Switch off only when every trusted principal is your own."
  type        = bool
  default     = true
}

variable "external_ids" {
  description = "External IDs accepted on AssumeRole. Several may be listed while one is rotated out."
  type        = list(string)
  default     = []
  sensitive   = true

  validation {
    condition     = alltrue([for id in var.external_ids : try(length(id) >= 2 && length(id) <= 1224 && can(regex("^[\\w+=,.@:/-]+$", id)), false)])
    error_message = "external_ids must each be 2 to 1224 characters of letters, digits and +=,.@:/_- (the STS ExternalId rule)."
  }

  validation {
    condition     = !var.require_external_id || length(var.external_ids) > 0
    error_message = "external_ids must hold at least one external ID while require_external_id is true."
  }
}

variable "max_session_duration" {
  description = "Maximum session length in seconds for the role. A Lambda or any role session that assumes it is role chaining and is capped at 3600 whatever this says."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200 && floor(var.max_session_duration) == var.max_session_duration
    error_message = "max_session_duration must be a whole number of seconds from 3600 to 43200."
  }
}

variable "permissions_boundary_arn" {
  description = "Optional ARN of a managed policy to set as the role's permissions boundary."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[^\\s]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN such as arn:aws:iam::111111111111:policy/NAME."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
