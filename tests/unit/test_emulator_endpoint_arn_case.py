"""One case rule for SageMaker endpoint ARNs: the ARN the API answers with is the ARN IAM compares.

The default rule ("lower") follows AWS's own answers: a ListEndpoints answer quoted in
aws/amazon-sagemaker-examples#293 lists `EndpointName: DEMO-imageclassification-ep--…`
with `EndpointArn: …:endpoint/demo-imageclassification-ep--…`, and the AccessDenied quoted
in philschmid/cdk-samples#2 names `endpoint/endpoint-setu4993--labse` for an endpoint
named after `setu4993/LaBSE`. "preserve" runs the other possibility. IAM matches resource
ARNs case-sensitively (IAM User Guide, "IAM JSON policy elements: Resource").
"""

from __future__ import annotations

import json

import boto3
import botocore.config
import botocore.exceptions
import pytest

from xacct.emulator.client import EmulatorProcess

pytestmark = pytest.mark.emulator  # starts emulator processes

NAME = "Fraud-Model"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def arn_of(emu, name: str) -> str:
    return f"arn:aws:sagemaker:{emu.region}:{emu.accounts['parent'].id}:endpoint/{name}"


@pytest.fixture(scope="module", params=["lower", "preserve"])
def emu(request):
    with EmulatorProcess(endpoint_arn_case=request.param) as emulator:
        sagemaker = emulator.client("sagemaker", "parent")
        role = emulator.client("iam", "parent").create_role(RoleName="model", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        sagemaker.create_model(ModelName="m", ExecutionRoleArn=role,
                               PrimaryContainer={"Image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1"})
        sagemaker.create_endpoint_config(EndpointConfigName="c", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
        emulator.created_arn = sagemaker.create_endpoint(EndpointName=NAME, EndpointConfigName="c")["EndpointArn"]
        emulator.rule = request.param
        yield emulator


def caller_allowed(emu, user: str, resource: str):
    iam = emu.client("iam", "parent")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="invoke", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": resource}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                         region_name=emu.region).client("sagemaker-runtime", endpoint_url=emu.endpoint_url,
                                                        config=botocore.config.Config(retries={"max_attempts": 1}))


def expected_arn(emu) -> str:
    return arn_of(emu, NAME.lower() if emu.rule == "lower" else NAME)


def other_arn(emu) -> str:
    return arn_of(emu, NAME if emu.rule == "lower" else NAME.lower())


def test_create_describe_and_list_answer_one_arn(emu):
    sagemaker = emu.client("sagemaker", "parent")
    assert emu.created_arn == expected_arn(emu)
    assert sagemaker.describe_endpoint(EndpointName=NAME)["EndpointArn"] == expected_arn(emu)
    assert sagemaker.describe_endpoint(EndpointName=NAME)["EndpointName"] == NAME  # the name itself keeps its case
    assert [e["EndpointArn"] for e in sagemaker.list_endpoints()["Endpoints"]] == [expected_arn(emu)]


def test_tags_are_found_by_the_arn_the_api_answers(emu):
    """Terraform reads an endpoint's tags by the ARN DescribeEndpoint gave it."""
    sagemaker = emu.client("sagemaker", "parent")
    sagemaker.add_tags(ResourceArn=expected_arn(emu), Tags=[{"Key": "team", "Value": "fraud"}])
    assert sagemaker.list_tags(ResourceArn=expected_arn(emu))["Tags"] == [{"Key": "team", "Value": "fraud"}]


@pytest.mark.parametrize("invoked_as", [NAME, NAME.lower(), NAME.upper()])
def test_a_policy_on_the_answered_arn_allows_the_invoke(emu, invoked_as):
    """Endpoint names are case-insensitive: however the caller spells it, the same ARN is compared."""
    caller = caller_allowed(emu, f"answered-{invoked_as}", expected_arn(emu))
    response = caller.invoke_endpoint(EndpointName=invoked_as, Body=b"{}", ContentType="application/json")
    assert response["Body"].read() == b"{}"
    assert emu.invocations()[-1]["endpoint"] == NAME  # the journal names the endpoint that answered


def test_a_policy_on_the_other_spelling_is_denied(emu):
    caller = caller_allowed(emu, "other-spelling", other_arn(emu))
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        caller.invoke_endpoint(EndpointName=NAME, Body=b"{}", ContentType="application/json")
    error = denied.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert f"is not authorized to perform: sagemaker:InvokeEndpoint on resource: {expected_arn(emu)}" in error["Message"]


def test_an_unknown_rule_is_refused_at_start():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "xacct.emulator", "--endpoint-arn-case", "upper", "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "invalid choice: 'upper' (choose from 'lower', 'preserve')" in result.stderr
