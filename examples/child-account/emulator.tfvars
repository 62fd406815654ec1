# Inputs for running this root on the project's emulator (see "Walkthrough" in the README).
# parent_role_arn, endpoint_names and external_id come from the parent's outputs and the
# secret store, on the command line. The offline provider (hashicorp/aws 3.39) accepts
# Lambda runtimes up to python3.8; with a current provider keep the default.
lambda_runtime = "python3.8"
