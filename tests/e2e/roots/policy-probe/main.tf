# One small resource to apply and destroy: tests/e2e/test_failure_safety.py checks that
# nothing is left behind when a test fails or a destroy is refused.
resource "aws_iam_policy" "probe" {
  name = var.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:GetCallerIdentity", Resource = "*" }]
  })
}
