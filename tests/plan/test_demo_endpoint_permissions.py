"""The demo endpoint's execution role holds what SageMaker needs to run the model, and no more.

"CreateModel API: Execution Role Permissions" (Amazon SageMaker Developer Guide): the role
pulls the image from ECR (ecr:GetAuthorizationToken, ecr:BatchGetImage,
ecr:GetDownloadUrlForLayer) and writes the container's logs to CloudWatch Logs, in the log
group /aws/sagemaker/Endpoints/<endpoint name> ("Log Amazon SageMaker AI events with
Amazon CloudWatch"). Planned against the emulator's parent account.
"""

from __future__ import annotations

import json

import pytest
import tftest

from xacct.staging import StagedRoot
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.plan

IMAGE = "444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/xacct-echo:echo-0123456789ab"


@pytest.fixture(scope="module")
def root(target):
    staged = StagedRoot(PROJECT_ROOT / "examples" / "two-accounts" / "demo-endpoint", relative_dir="demo-endpoint",
                        override=target.provider_override({"": "parent"}))
    staged.init()
    yield staged
    staged.close()


def plan(root, **variables):
    root.set_vars({"endpoint_name": "Echo-Endpoint", "model_image": IMAGE, **variables})
    plan_file = "case.plan"
    root.tf.execute_command("plan", "-input=false", "-no-color", f"-out={plan_file}")
    shown = json.loads(root.tf.execute_command("show", "-json", plan_file).out)
    return {r["address"]: r["values"] for r in shown["planned_values"]["root_module"]["resources"]}


def test_execution_role_may_pull_its_image_and_write_its_endpoints_logs(root, target):
    values = plan(root)
    account = target.accounts["parent"].id
    statements = {s["Sid"]: s for s in json.loads(values["aws_iam_role_policy.run_model"]["policy"])["Statement"]}
    log_group = f"arn:aws:logs:{target.region}:{account}:log-group:/aws/sagemaker/Endpoints/Echo-Endpoint"
    assert statements == {
        "PullModelImage": {"Sid": "PullModelImage", "Effect": "Allow",
                           "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                           "Resource": "arn:aws:ecr:eu-west-1:444455556666:repository/team/xacct-echo"},
        "GetRegistryToken": {"Sid": "GetRegistryToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
                             "Resource": "*"},
        "WriteEndpointLogs": {"Sid": "WriteEndpointLogs", "Effect": "Allow",
                              "Action": ["logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:CreateLogStream",
                                         "logs:PutLogEvents"],
                              "Resource": [log_group, f"{log_group}:log-stream:*"]},
        "PublishEndpointMetrics": {"Sid": "PublishEndpointMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
                                   "Resource": "*",
                                   "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}},
    }
    assert values["aws_cloudwatch_log_group.endpoint"]["name"] == "/aws/sagemaker/Endpoints/Echo-Endpoint"
    assert values["aws_cloudwatch_log_group.endpoint"]["retention_in_days"] == 14


def test_an_image_pinned_by_digest_grants_the_same_repository(root):
    values = plan(root, model_image="444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/xacct-echo@sha256:" + "0" * 64)
    statements = json.loads(values["aws_iam_role_policy.run_model"]["policy"])["Statement"]
    assert statements[0]["Resource"] == "arn:aws:ecr:eu-west-1:444455556666:repository/team/xacct-echo"


@pytest.mark.parametrize("image", ["nginx:latest", "public.ecr.aws/team/echo:1",
                                   "444455556666.dkr.ecr.eu-west-1.amazonaws.com/Team/echo:1"])
def test_an_image_outside_ecr_is_refused_at_plan_time(root, image):
    with pytest.raises(tftest.TerraformTestError) as failure:
        plan(root, model_image=image)
    message = " ".join(str(failure.value.args[0]).split())
    assert "model_image must be an ECR image URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:TAG or " \
           "@sha256:DIGEST]: the execution role is granted pull on that repository only." in message
