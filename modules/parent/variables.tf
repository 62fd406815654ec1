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

variable "role_name_prefix" {
  description = "Prepended to role_name only; null (the default) uses name_prefix. Set it to an empty string to keep a fixed role name (e.g. SageMakerExternal) while name_prefix still prefixes the policy."
  type        = string
  default     = null

  validation {
    condition     = var.role_name_prefix == null || can(regex("^[\\w+=,.@-]*$", var.role_name_prefix))
    error_message = "role_name_prefix may hold only the characters IAM allows in names: letters, digits and +=,.@_-."
  }
}

variable "policy_name_prefix" {
  description = "Prepended to policy_name only; null (the default) uses name_prefix."
  type        = string
  default     = null

  validation {
    condition     = var.policy_name_prefix == null || can(regex("^[\\w+=,.@-]*$", var.policy_name_prefix))
    error_message = "policy_name_prefix may hold only the characters IAM allows in names: letters, digits and +=,.@_-."
  }
}

variable "role_name" {
  description = "Name of the role child accounts assume (after role_name_prefix, else name_prefix)."
  type        = string
  default     = "SageMakerExternal"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 of the characters IAM allows in role names: letters, digits and +=,.@_-."
  }

  validation {
    condition     = length(local.role_name_prefix) + length(var.role_name) <= 64
    error_message = "role_name with its prefix (role_name_prefix, else name_prefix) must be at most 64 characters, IAM's limit for role names."
  }
}

variable "policy_name" {
  description = "Name of the managed policy that allows invoking the endpoints (after policy_name_prefix, else name_prefix)."
  type        = string
  default     = "SageMakerExternalInvokeEndpoint"

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,128}$", var.policy_name))
    error_message = "policy_name must be 1 to 128 of the characters IAM allows in policy names: letters, digits and +=,.@_-."
  }

  validation {
    condition     = length(local.policy_name_prefix) + length(var.policy_name) <= 128
    error_message = "policy_name with its prefix (policy_name_prefix, else name_prefix) must be at most 128 characters, IAM's limit for policy names."
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
  description = "SageMaker endpoints the role may invoke: names in this account and region, or endpoint ARNs. A name with upper-case letters is granted both as written and lower-cased (see the README). A wildcard (*, ?) is honoured only when written here explicitly."
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

variable "allowed_invocations" {
  description = "What consumers may do with the endpoints: sync (InvokeEndpoint), stream (InvokeEndpointWithResponseStream) and/or async (InvokeEndpointAsync). AWS authorizes the streaming call with sagemaker:InvokeEndpoint (SageMaker Runtime API Reference), so sync and stream are one permission: either admits both calls."
  type        = list(string)
  default     = ["sync"]

  validation {
    condition     = length(var.allowed_invocations) > 0 && length(distinct(var.allowed_invocations)) == length(var.allowed_invocations) && alltrue([for c in var.allowed_invocations : contains(["sync", "stream", "async"], c)])
    error_message = "allowed_invocations must be a non-empty list without repeats drawn from sync, stream and async."
  }
}

variable "trust_scope" {
  description = "accounts: trust the roots of trusted_account_ids, narrowed by the conditions (the document grows with each consuming account). organization: trust any principal of trusted_organization_id (optionally only in trusted_organization_paths) whose ARN matches trusted_principal_arn_patterns and that sends an external ID; its size does not depend on the number of consuming accounts."
  type        = string
  default     = "accounts"

  validation {
    condition     = contains(["accounts", "organization"], var.trust_scope)
    error_message = "trust_scope must be accounts or organization."
  }
}

variable "trusted_account_ids" {
  description = "AWS account IDs whose principals may assume the role (subject to the conditions below). Required with trust_scope = accounts, empty with trust_scope = organization."
  type        = list(string)
  default     = []

  validation {
    condition     = var.trust_scope != "accounts" || length(var.trusted_account_ids) > 0
    error_message = "trusted_account_ids must list at least one account ID when trust_scope is accounts."
  }

  validation {
    condition     = var.trust_scope != "organization" || length(var.trusted_account_ids) == 0
    error_message = "trusted_account_ids must be empty when trust_scope is organization (the organization condition replaces the account list)."
  }

  validation {
    condition     = alltrue([for id in var.trusted_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "trusted_account_ids must hold AWS account IDs of exactly 12 digits."
  }
}

variable "trusted_principal_arn_patterns" {
  description = "ARN patterns (ArnLike on aws:PrincipalArn) of the IAM roles or users that may assume the role, e.g. arn:aws:iam::222222222222:role/sagemaker-invoker-exec. Required unless trust_all_principals_in_accounts is true. Each names an account of trusted_account_ids (or * in organization mode). A * also matches / and so crosses role paths: see the README for path-anchored patterns."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.trusted_principal_arn_patterns) > 0 || var.trust_all_principals_in_accounts
    error_message = "trusted_principal_arn_patterns must list at least one IAM role or user ARN pattern; to trust every principal of trusted_account_ids instead, set trust_all_principals_in_accounts = true."
  }

  validation {
    condition     = !var.trust_all_principals_in_accounts || length(var.trusted_principal_arn_patterns) == 0
    error_message = "trusted_principal_arn_patterns must be empty when trust_all_principals_in_accounts is true (the patterns would narrow what that input says it trusts)."
  }

  validation {
    condition     = alltrue([for p in var.trusted_principal_arn_patterns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|\\*):(role|user)/[\\w+=,.@-][\\w+=,.@/*?-]*$", p))])
    error_message = "trusted_principal_arn_patterns must hold IAM role or user ARNs such as arn:aws:iam::222222222222:role/NAME (not :root), whose path or name after role/ or user/ starts with a literal character, not a wildcard."
  }

  validation {
    condition     = alltrue([for p in var.trusted_principal_arn_patterns : var.trust_scope == "organization" || contains(var.trusted_account_ids, try(split(":", p)[4], ""))])
    error_message = "trusted_principal_arn_patterns must name an account listed in trusted_account_ids (* for the account only with trust_scope = organization)."
  }
}

variable "trust_all_principals_in_accounts" {
  description = "Opt in to trusting every principal of trusted_account_ids that holds an sts:AssumeRole grant, without ARN patterns. Off by default: name the roles in trusted_principal_arn_patterns instead."
  type        = bool
  default     = false

  validation {
    condition     = !var.trust_all_principals_in_accounts || var.trust_scope == "accounts"
    error_message = "trust_all_principals_in_accounts = true needs trust_scope = accounts."
  }
}

variable "trusted_organization_id" {
  description = "AWS Organizations ID (aws:PrincipalOrgID). Required with trust_scope = organization; with trust_scope = accounts it is an extra condition."
  type        = string
  default     = null

  validation {
    condition     = var.trusted_organization_id == null || can(regex("^o-[a-z0-9]{10,32}$", var.trusted_organization_id))
    error_message = "trusted_organization_id must look like o-abcd123456 (o- then 10 to 32 lower-case letters or digits)."
  }

  validation {
    condition     = var.trust_scope != "organization" || var.trusted_organization_id != null
    error_message = "trusted_organization_id is required when trust_scope is organization."
  }
}

variable "trusted_organization_paths" {
  description = "Optional organizational unit paths (aws:PrincipalOrgPaths, ForAnyValue:StringLike) of trusted_organization_id, e.g. o-abcdef1234/r-ab12/ou-ab12-11111111/; a trailing * also admits the OUs below it."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.trusted_organization_paths : can(regex("^o-[a-z0-9]{10,32}/r-[a-z0-9]{4,32}/(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}/)+\\*?$", p)) && startswith(p, "${coalesce(var.trusted_organization_id, "-")}/")])
    error_message = "trusted_organization_paths must hold OU paths of trusted_organization_id such as o-abcdef1234/r-ab12/ou-ab12-11111111/ (a trailing * admits child OUs)."
  }
}

variable "trust_policy_max_characters" {
  description = "The trust policy size quota of the account, in characters without whitespace: 2048 is IAM's default; a team whose quota was raised (at most 4096) says so here. The plan fails when the rendered trust policy is larger."
  type        = number
  default     = 2048

  validation {
    condition     = var.trust_policy_max_characters >= local.trust_policy_default_quota && var.trust_policy_max_characters <= local.trust_policy_largest_quota && floor(var.trust_policy_max_characters) == var.trust_policy_max_characters
    error_message = "trust_policy_max_characters must be a whole number from 2048 (IAM's default quota) to 4096 (the most IAM grants)."
  }

  validation {
    condition     = !var.create || local.trust_policy_chars <= var.trust_policy_max_characters
    error_message = "trust_policy_max_characters: the trust policy is ${local.trust_policy_chars} characters (whitespace excluded), over the limit of ${var.trust_policy_max_characters} (IAM User Guide, IAM and AWS STS quotas); each consuming account adds about ${local.trust_chars_per_consumer_rounded}, so about ${local.trust_consumers_within_default_quota} fit in 2048 and ${local.trust_consumers_within_raised_quota} in 4096. Ask AWS to raise the role trust policy quota (at most 4096) and set trust_policy_max_characters, or use trust_scope = organization, whose size does not grow with the consumers."
  }
}

variable "require_external_id" {
  description = "Require sts:ExternalId on AssumeRole (confused-deputy protection). Switch off only when every trusted principal is your own; always on with trust_scope = organization."
  type        = bool
  default     = true

  validation {
    condition     = var.require_external_id || var.trust_scope != "organization"
    error_message = "require_external_id must be true when trust_scope is organization."
  }
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

  validation {
    condition     = var.require_external_id || length(var.external_ids) == 0
    error_message = "external_ids must be empty when require_external_id is false (they would be silently ignored)."
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
