variable "create" {
  description = "Whether to create any resource."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prepended to every resource name, so several copies (or test runs) can live in one account."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{0,24}$", var.name_prefix))
    error_message = "name_prefix may hold at most 24 letters, digits, hyphens and underscores (it is part of the Lambda function name)."
  }
}

variable "function_name" {
  description = "Name of the invoker Lambda function (after name_prefix); also names its log group and, by default, its execution role."
  type        = string
  default     = "sagemaker-invoker"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 letters, digits, hyphens and underscores."
  }

  # Lambda: function names are at most 64 characters (CreateFunction, FunctionName).
  # The log group /aws/lambda/<function> then stays far below CloudWatch Logs' 512.
  validation {
    condition     = length("${var.name_prefix}${var.function_name}") <= 64
    error_message = "name_prefix followed by function_name must be at most 64 characters (Lambda's function name limit)."
  }
}

variable "execution_role_name" {
  description = "Name of the function's execution role. Null names it <name_prefix><function_name>-exec; set it when that would exceed 64 characters or when the parent's trust must match a name agreed in advance."
  type        = string
  default     = null

  validation {
    condition     = var.execution_role_name == null || can(regex("^[\\w+=,.@-]{1,64}$", var.execution_role_name))
    error_message = "execution_role_name must be 1 to 64 letters, digits and +=,.@_- (IAM's role name rule)."
  }

  # IAM: role names are at most 64 characters (CreateRole, RoleName). Checked here so the
  # plan fails, rather than the apply.
  validation {
    condition     = var.execution_role_name != null || length("${var.name_prefix}${var.function_name}-exec") <= 64
    error_message = "The default execution role name (name_prefix, function_name, then -exec) would exceed IAM's 64-character role name limit: shorten name_prefix or function_name, or set execution_role_name."
  }
}

variable "parent_role_arn" {
  description = "ARN of the role in the parent account to assume (the parent module's role_arn output)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}$", var.parent_role_arn))
    error_message = "parent_role_arn must be an IAM role ARN such as arn:aws:iam::111111111111:role/SageMakerExternal (no wildcards)."
  }
}

variable "external_id" {
  description = "External ID the parent role's trust policy requires. Null only when the parent does not require one."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.external_id == null || try(length(var.external_id) >= 2 && length(var.external_id) <= 1224 && can(regex("^[\\w+=,.@:/-]+$", var.external_id)), false)
    error_message = "external_id must be 2 to 1224 characters of letters, digits and +=,.@:/_- (the STS ExternalId rule)."
  }
}

variable "endpoint_names" {
  description = "Names of the SageMaker endpoints in the parent account the Lambda may call (the parent's policy decides; this list makes the Lambda refuse others before any AWS call)."
  type        = list(string)

  validation {
    condition     = length(var.endpoint_names) > 0
    error_message = "endpoint_names must name at least one SageMaker endpoint."
  }

  validation {
    condition     = alltrue([for e in var.endpoint_names : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", e))])
    error_message = "endpoint_names must hold endpoint names: 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "endpoint_region" {
  description = "Region of the endpoints. Null calls them in the function's own region (the AWS_REGION Lambda sets)."
  type        = string
  default     = null

  validation {
    condition     = var.endpoint_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.endpoint_region))
    error_message = "endpoint_region must be an AWS region name such as eu-west-1."
  }
}

variable "attach_assume_grant" {
  description = "Give the execution role its sts:AssumeRole grant on parent_role_arn. Set false only when the grant is managed elsewhere; without it every invocation fails with AccessDenied."
  type        = bool
  default     = true
}

variable "session_duration_seconds" {
  description = "Length of the parent-role sessions the Lambda requests. A Lambda assuming a role is role chaining, which AWS caps at one hour."
  type        = number
  default     = 3600

  validation {
    condition     = var.session_duration_seconds >= 900 && var.session_duration_seconds <= 3600 && floor(var.session_duration_seconds) == var.session_duration_seconds
    error_message = "session_duration_seconds must be a whole number from 900 to 3600 (role chaining is capped at one hour)."
  }
}

variable "runtime" {
  description = "Lambda Python runtime: python3.10 or newer, the handler's minimum. python3.8 is accepted only for hashicorp/aws 3.x, whose runtime list ends there (the offline emulator suite); AWS has deprecated python3.8 and the handler does not run on it."
  type        = string
  default     = "python3.12"

  # python3.10 and newer: the handler's minimum (lambda_src/README.md). python3.8 is the
  # newest runtime hashicorp/aws 3.39.0 accepts, so the emulator suite, which applies
  # with that provider, declares it; the emulator runs the handler on its own interpreter.
  validation {
    condition     = can(regex("^python3\\.(1[0-9]|[2-9][0-9])$", var.runtime)) || var.runtime == "python3.8"
    error_message = "runtime must be a Python Lambda runtime from python3.10 on (the handler needs Python 3.10 or newer), such as python3.12; python3.8 is accepted only for hashicorp/aws 3.x."
  }
}

variable "log_level" {
  description = "Log level of the function: DEBUG, INFO, WARNING or ERROR. DEBUG makes botocore log the parent session's credentials and the request bodies (the model's input): use it only for a short investigation, in an account whose logs are as protected as the parent role."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "memory_size" {
  description = "Memory for the function in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. The handler derives its read timeout and attempts from it so the worst case (AssumeRole and InvokeEndpoint retries included) ends inside it; the default fits three full 60 s inferences (SageMaker's limit per invocation). Below 14 s no full attempt fits."
  type        = number
  default     = 260

  validation {
    condition     = var.timeout >= 14 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 14 to 900 (below 14 s the handler cannot fit one AssumeRole and one InvokeEndpoint attempt)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; null leaves it unreserved (a new account cannot reserve any)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be null or a whole number of at least 0."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing: Active (adds the X-Ray write permission to the execution role) or PassThrough (the default keeps the role to logs and the one assume grant)."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch keeps the function's logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "kms_key_arn" {
  description = "Optional customer-managed KMS key for the log group and the function's environment variables. The key policy must let CloudWatch Logs and Lambda use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab."
  }
}

variable "code_signing_config_arn" {
  description = "Optional Lambda code signing configuration to enforce."
  type        = string
  default     = null

  validation {
    condition     = var.code_signing_config_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:code-signing-config:csc-[a-z0-9]{17}$", var.code_signing_config_arn))
    error_message = "code_signing_config_arn must be a Lambda code signing config ARN (…:code-signing-config:csc-…)."
  }
}

variable "vpc_subnet_ids" {
  description = "Optional subnets to run the function in. The VPC then needs interface endpoints for STS and SageMaker runtime (com.amazonaws.REGION.sts, com.amazonaws.REGION.sagemaker.runtime) or a NAT gateway."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.vpc_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "vpc_subnet_ids must hold subnet IDs such as subnet-0123456789abcdef0."
  }
}

variable "vpc_security_group_ids" {
  description = "Security groups for the function when vpc_subnet_ids is set."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.vpc_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", s))])
    error_message = "vpc_security_group_ids must hold security group IDs such as sg-0123456789abcdef0."
  }

  validation {
    condition     = (length(var.vpc_subnet_ids) == 0) == (length(var.vpc_security_group_ids) == 0)
    error_message = "vpc_security_group_ids and vpc_subnet_ids must be set together (both empty for no VPC)."
  }
}

variable "permissions_boundary_arn" {
  description = "Optional permissions boundary for the execution role."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[^\\s]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM policy ARN such as arn:aws:iam::222222222222:policy/NAME."
  }
}

variable "environment_overrides" {
  description = "Extra environment variables for the function (for example READ_TIMEOUT_SECONDS or MAX_ATTEMPTS, which win over what the handler derives from the timeout). Keys the module sets itself cannot be overridden."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.environment_overrides), ["PARENT_ROLE_ARN", "EXTERNAL_ID", "ALLOWED_ENDPOINTS", "ENDPOINT_REGION", "SESSION_DURATION_SECONDS", "LOG_LEVEL", "FUNCTION_TIMEOUT_SECONDS"])) == 0
    error_message = "environment_overrides cannot set PARENT_ROLE_ARN, EXTERNAL_ID, ALLOWED_ENDPOINTS, ENDPOINT_REGION, SESSION_DURATION_SECONDS, LOG_LEVEL or FUNCTION_TIMEOUT_SECONDS: use the module's inputs."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
