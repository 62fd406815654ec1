# A one-instance SageMaker endpoint to try the path with. Real deployments bring their own.
resource "aws_iam_role" "sagemaker" {
  name = "${var.name_prefix}demo-endpoint-sagemaker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:TAG|@DIGEST] ("Amazon ECR private repositories"),
  # checked by the model_image validation; its repository is the only one the role may pull.
  image_parts    = regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", var.model_image)
  repository_arn = "arn:${data.aws_partition.current.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"
  # Built from the name rather than read from the log group, so the policy is known at plan time.
  # The region comes from the data source's EC2 endpoint, as in modules/parent: its `name` and
  # `id` are deprecated on 6.x, and `region` does not exist on 3.x.
  region        = regex("[a-z]{2}(?:-[a-z]+)+-[0-9]+", data.aws_region.current.endpoint)
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${local.region}:${data.aws_caller_identity.current.account_id}:log-group:${aws_cloudwatch_log_group.endpoint.name}"
}

# Where SageMaker sends the container's output ("Monitor Amazon SageMaker AI with CloudWatch
# Logs": /aws/sagemaker/Endpoints/<endpoint name>). Created here, so destroy removes it.
resource "aws_cloudwatch_log_group" "endpoint" {
  #checkov:skip=CKV_AWS_158:demo endpoint; CloudWatch Logs encrypts log data at rest by default, and a customer-managed key would add a billed key with a deletion window to a throw-away demo
  #checkov:skip=CKV_AWS_338:demo endpoint; its logs only help debug a test run, so they are kept log_retention_in_days (default 14), not a year
  name              = "/aws/sagemaker/Endpoints/${var.endpoint_name}"
  retention_in_days = var.log_retention_in_days
}

# What the execution role needs to run the model: "CreateModel API: Execution Role
# Permissions" (Amazon SageMaker Developer Guide, "How to use SageMaker AI execution roles").
# Without the ECR statements the model is created but the endpoint ends in Failed: "Please
# make sure all images included in the model for the production variant AllTraffic exist,
# and that the execution role used to create the model has permissions to access them."
# The project's emulator fails it the same way when the image is in its own ECR. Without
# the logs statements nothing fails; the container's output is just not written.
resource "aws_iam_role_policy" "run_model" {
  name = "run-model"
  role = aws_iam_role.sagemaker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # Pull the model image, from its repository only ("Private repository policy examples").
        Sid      = "PullModelImage"
        Effect   = "Allow"
        Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = local.repository_arn
      },
      {
        # GetAuthorizationToken names no resource: the Service Authorization Reference lists
        # no resource type for it, so "*" is the only value IAM accepts.
        Sid      = "GetRegistryToken"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "WriteEndpointLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [local.log_group_arn, "${local.log_group_arn}:log-stream:*"]
      },
      {
        # PutMetricData names no resource either; the condition keeps it to SageMaker's namespace.
        Sid       = "PublishEndpointMetrics"
        Effect    = "Allow"
        Action    = "cloudwatch:PutMetricData"
        Resource  = "*"
        Condition = { StringEquals = { "cloudwatch:namespace" = "/aws/sagemaker/Endpoints" } }
      },
    ]
  })
}

resource "aws_sagemaker_model" "this" {
  #checkov:skip=CKV_AWS_370:demo endpoint; bring your own for production. The emulator (moto) always reports EnableNetworkIsolation false, so setting it would make every plan replace the model
  name               = "${var.name_prefix}${var.endpoint_name}-model"
  execution_role_arn = aws_iam_role.sagemaker.arn

  primary_container {
    image = var.model_image
  }

  # SageMaker checks the role when it starts the endpoint: the permissions must exist first.
  depends_on = [aws_iam_role_policy.run_model]
}

resource "aws_sagemaker_endpoint_configuration" "this" {
  #checkov:skip=CKV_AWS_98:demo endpoint; bring your own for production. A customer-managed KMS key for the ML storage volume would add a billed key with a deletion window to a throw-away demo
  name = "${var.name_prefix}${var.endpoint_name}-config"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.this.name
    initial_instance_count = 1
    instance_type          = var.instance_type
  }
}

resource "aws_sagemaker_endpoint" "this" {
  name                 = var.endpoint_name
  endpoint_config_name = aws_sagemaker_endpoint_configuration.this.name
}
