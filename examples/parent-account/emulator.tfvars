# Inputs for running this root on the project's emulator (see "Walkthrough" in the README):
# its parent account is 111111111111 and its child account 222222222222. The external ID
# is passed on the command line, as a pipeline reads it from a secret store.
trusted_account_ids            = ["222222222222"]
trusted_principal_arn_patterns = ["arn:aws:iam::222222222222:role/sagemaker-invoker-exec"]
create_demo_endpoint           = true
# Any image name will do: the emulator's endpoints echo what they are sent.
demo_model_image = "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1"
