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

resource "aws_sagemaker_model" "this" {
  #checkov:skip=CKV_AWS_370:demo endpoint; bring your own for production. The emulator (moto) always reports EnableNetworkIsolation false, so setting it would make every plan replace the model
  name               = "${var.name_prefix}${var.endpoint_name}-model"
  execution_role_arn = aws_iam_role.sagemaker.arn

  primary_container {
    image = var.model_image
  }
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
