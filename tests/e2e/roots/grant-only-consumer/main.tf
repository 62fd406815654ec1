# A consumer that is not the invoker Lambda: an existing workload role plus
# modules/assume-grant, exercised by tests/e2e/test_grant_only_consumer.py.

# --- Child account: a workload role that exists already (an ECS task role, say) -------

resource "aws_iam_role" "orders_task" {
  provider = aws.child

  name = "${var.name_prefix}orders-task"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.child_account_id}:root" }
    }]
  })
}

# The one permission the workload needs in its own account.
module "grant" {
  source = "../../../../modules/assume-grant"

  providers = {
    aws = aws.child
  }

  role_name       = aws_iam_role.orders_task.name
  parent_role_arn = module.parent.role_arn
}

# --- Parent account: an endpoint and the role that may invoke it ----------------------

resource "aws_iam_role" "sagemaker" {
  provider = aws.parent

  name = "${var.name_prefix}orders-endpoint-sagemaker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "sagemaker.amazonaws.com" }
    }]
  })
}

resource "aws_sagemaker_model" "echo" {
  #checkov:skip=CKV_AWS_370:a test endpoint for the grant-only consumer suite, destroyed with it. The emulator (moto) always reports EnableNetworkIsolation false, so setting it would make every plan replace the model
  provider = aws.parent

  name               = "${var.name_prefix}orders-model"
  execution_role_arn = aws_iam_role.sagemaker.arn

  primary_container {
    image = "${var.parent_account_id}.dkr.ecr.us-east-1.amazonaws.com/echo:1"
  }
}

resource "aws_sagemaker_endpoint_configuration" "echo" {
  #checkov:skip=CKV_AWS_98:a test endpoint for the grant-only consumer suite, destroyed with it; a customer-managed KMS key would add a billed key with a deletion window to each run
  provider = aws.parent

  name = "${var.name_prefix}orders-config"

  production_variants {
    variant_name           = "AllTraffic"
    model_name             = aws_sagemaker_model.echo.name
    initial_instance_count = 1
    instance_type          = "ml.t2.medium"
  }
}

resource "aws_sagemaker_endpoint" "echo" {
  provider = aws.parent

  name                 = "${var.name_prefix}orders-scoring"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.echo.name
}

module "parent" {
  source = "../../../../modules/parent"

  providers = {
    aws = aws.parent
  }

  name_prefix                    = var.name_prefix
  endpoints                      = [aws_sagemaker_endpoint.echo.name]
  trusted_account_ids            = ["${var.child_account_id}"]
  trusted_principal_arn_patterns = ["arn:aws:iam::${var.child_account_id}:role/${var.name_prefix}orders-task"]
  external_ids                   = [var.external_id]
}
