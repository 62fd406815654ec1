output "endpoint_name" {
  description = "Name of the demo endpoint."
  value       = aws_sagemaker_endpoint.this.name
}
