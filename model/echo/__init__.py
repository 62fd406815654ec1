"""An echo model for SageMaker: answers each invocation with the request it was sent."""
