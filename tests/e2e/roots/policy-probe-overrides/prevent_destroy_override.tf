# Copied into a staged policy-probe root to make its destroy fail (Terraform docs,
# "Override Files": lifecycle arguments merge one by one).
resource "aws_iam_policy" "probe" {
  lifecycle {
    prevent_destroy = true
  }
}
