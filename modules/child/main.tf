data "aws_caller_identity" "current" {}

locals {
  function_name       = "${var.name_prefix}${var.function_name}"
  execution_role_name = coalesce(var.execution_role_name, "${local.function_name}-exec")
  # Taken from the log group itself rather than rebuilt from region data: the region
  # attributes of data.aws_region differ across provider versions (name is deprecated
  # from 6.0, id from 6.47, region is missing before 5.x) and each prints a warning on
  # some version we support. The provider removes the ":*" suffix from this ARN (see
  # aws_cloudwatch_log_group, attribute arn), so the stream-level suffix is added below.
  log_group_arn = try(aws_cloudwatch_log_group.this[0].arn, "")

  # Built by `make package` from lambda_src/ (deterministic, so the hash changes only with the code).
  package_path = "${path.module}/lambda/sagemaker_invoker.zip"

  # Without ENDPOINT_REGION the handler calls the endpoints in AWS_REGION, which Lambda
  # sets to the function's own region, so no region lookup is needed here either.
  environment = merge(var.environment_overrides, {
    PARENT_ROLE_ARN          = var.parent_role_arn
    ALLOWED_ENDPOINTS        = join(",", var.endpoint_names)
    SESSION_DURATION_SECONDS = tostring(var.session_duration_seconds)
    LOG_LEVEL                = var.log_level
    # The handler derives its read timeout and retry budget from this, so the worst case
    # fits inside the function's timeout.
    FUNCTION_TIMEOUT_SECONDS = tostring(var.timeout)
    }, var.endpoint_region == null ? {} : {
    ENDPOINT_REGION = var.endpoint_region
    }, var.external_id == null ? {} : {
    EXTERNAL_ID = var.external_id
  })
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts log data at rest by default; a customer-managed key is opt-in through kms_key_arn because its key policy must first admit the logs service principal
  count = var.create ? 1 : 0

  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "this" {
  count = var.create ? 1 : 0

  name                 = local.execution_role_name
  description          = "Execution role of ${local.function_name}: writes its logs and assumes one parent role."
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaService"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
      # Only this account's function may use the role (confused-deputy protection).
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "logs" {
  count = var.create ? 1 : 0

  name = "WriteOwnLogs"
  role = aws_iam_role.this[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteOwnLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${local.log_group_arn}:*"
    }]
  })
}

module "assume_grant" {
  source = "../assume-grant"

  create          = var.create && var.attach_assume_grant
  role_name       = try(aws_iam_role.this[0].name, "unused")
  parent_role_arn = var.parent_role_arn
}

# X-Ray and VPC networking need permissions AWS grants only on "*"; added only when used.
resource "aws_iam_role_policy" "xray" {
  count = var.create && var.tracing_mode == "Active" ? 1 : 0

  name = "WriteTraces"
  role = aws_iam_role.this[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteTraces"
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "vpc" {
  #checkov:skip=CKV_AWS_290:created only when vpc_subnet_ids is set; these are the ENI actions of AWS's AWSLambdaVPCAccessExecutionRole, which Lambda needs on "*" (ec2:DescribeNetworkInterfaces works only on "*")
  #checkov:skip=CKV_AWS_355:created only when vpc_subnet_ids is set; these are the ENI actions of AWS's AWSLambdaVPCAccessExecutionRole, which Lambda needs on "*" (ec2:DescribeNetworkInterfaces works only on "*")
  count = var.create && length(var.vpc_subnet_ids) > 0 ? 1 : 0

  name = "ManageVpcInterfaces"
  role = aws_iam_role.this[0].name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ManageVpcInterfaces"
      Effect   = "Allow"
      Action   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      Resource = "*"
    }]
  })
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:invoked synchronously (RequestResponse) and errors are returned to the caller; a dead-letter queue only receives failed asynchronous invocations
  #checkov:skip=CKV_AWS_117:the function calls only the public STS and SageMaker Runtime APIs; a VPC is opt-in through vpc_subnet_ids because it needs interface endpoints or a NAT gateway and adds EC2 permissions on "*" to an execution role kept to logs and one AssumeRole
  #checkov:skip=CKV_AWS_272:code signing needs a signing profile and an S3-hosted signed package; the module deploys its deterministic local zip, and code_signing_config_arn enforces a signing configuration where one exists
  count = var.create ? 1 : 0

  function_name                  = local.function_name
  description                    = "Invokes SageMaker endpoints in another account through ${var.parent_role_arn}."
  role                           = aws_iam_role.this[0].arn
  runtime                        = var.runtime
  handler                        = "sagemaker_invoker.handler.lambda_handler"
  filename                       = local.package_path
  source_code_hash               = filebase64sha256(local.package_path)
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = coalesce(var.reserved_concurrent_executions, -1)
  kms_key_arn                    = var.kms_key_arn
  code_signing_config_arn        = var.code_signing_config_arn
  tags                           = var.tags

  environment {
    variables = local.environment
  }

  tracing_config {
    mode = var.tracing_mode
  }

  dynamic "vpc_config" {
    for_each = length(var.vpc_subnet_ids) > 0 ? [1] : []
    content {
      subnet_ids         = var.vpc_subnet_ids
      security_group_ids = var.vpc_security_group_ids
    }
  }

  # The log group and the grants exist before the first invocation can need them.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.logs,
    module.assume_grant,
  ]
}
