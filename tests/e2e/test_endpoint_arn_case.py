"""The two-accounts example with a mixed-case endpoint name, under both endpoint-ARN case rules.

Whether IAM compares a SageMaker endpoint's name in lower case (what AWS's answers show:
aws/amazon-sagemaker-examples#293, philschmid/cdk-samples#2) or as written, the parent
module's policy must allow the invoke; a hand-written policy that names only the other
spelling is denied under the rule that excludes it. Each rule runs on its own emulator
(`--endpoint-arn-case`), so this suite is emulator-only.
"""

from __future__ import annotations

import json

import boto3
import botocore.config
import botocore.exceptions
import pytest

from tests.conftest import DEMO_MODEL_IMAGE, TARGET, TEST_RUNTIME
from tests.e2e.helpers import deployed, invoke
from xacct.emulator.client import EmulatorProcess
from xacct.staging import StagedRoot

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(TARGET is not None and TARGET.kind == "aws", reason="needs the emulator's case rules")]

EXTERNAL_ID = "ext-arn-case-1"


@pytest.fixture(scope="module", params=["lower", "preserve"])
def applied(request, run_prefix, run_tags):
    rule = request.param
    prefix = f"{run_prefix}case-{rule[0]}-"
    endpoint = f"{prefix}Fraud-Model"  # upper-case letters on purpose
    with EmulatorProcess(endpoint_arn_case=rule) as emulator:
        root = StagedRoot.example("two-accounts",
                                  override=emulator.provider_override({"parent": "parent", "child": "child"}))
        root.set_vars({
            "name_prefix": prefix,
            "external_id": EXTERNAL_ID,
            "create_demo_endpoint": True,
            "demo_endpoint_name": endpoint,
            "demo_model_image": DEMO_MODEL_IMAGE,
            "lambda_runtime": TEST_RUNTIME,
            "tags": run_tags,
        })
        with deployed(emulator, root, prefix) as outputs:
            yield {"emulator": emulator, "rule": rule, "endpoint": endpoint, **outputs}


def arn(emulator, name: str) -> str:
    return f"arn:aws:sagemaker:{emulator.region}:{emulator.accounts['parent'].id}:endpoint/{name}"


def test_the_module_s_policy_allows_the_mixed_case_endpoint(applied):
    emulator, endpoint = applied["emulator"], applied["endpoint"]
    result = invoke(emulator, applied["function_name"], {"endpoint": endpoint, "body": {"x": 1}})
    assert result["statusCode"] == 200, result
    assert result["endpoint"] == endpoint
    compared = arn(emulator, endpoint.lower() if applied["rule"] == "lower" else endpoint)
    decisions = [e for e in emulator.journal() if e["action"] == "sagemaker:InvokeEndpoint"]
    assert decisions and decisions[-1]["resource"] == compared and decisions[-1]["allowed"], decisions


def test_describe_endpoint_answers_the_arn_iam_compares(applied):
    emulator, endpoint = applied["emulator"], applied["endpoint"]
    described = emulator.client("sagemaker", "parent").describe_endpoint(EndpointName=endpoint)["EndpointArn"]
    assert described == arn(emulator, endpoint.lower() if applied["rule"] == "lower" else endpoint)


def hand_written_caller(emulator, user: str, resource: str):
    iam = emulator.client("iam", "parent")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="invoke", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": resource}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    client = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                           region_name=emulator.region).client(
        "sagemaker-runtime", endpoint_url=emulator.endpoint_url, config=botocore.config.Config(retries={"max_attempts": 1}))
    return client, lambda: (iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"]),
                            iam.delete_user_policy(UserName=user, PolicyName="invoke"), iam.delete_user(UserName=user))


def test_a_hand_written_policy_with_only_the_other_spelling_is_denied(applied):
    emulator, endpoint, rule = applied["emulator"], applied["endpoint"], applied["rule"]
    compared, other = (endpoint.lower(), endpoint) if rule == "lower" else (endpoint, endpoint.lower())
    denied_caller, remove_denied = hand_written_caller(emulator, f"{applied['endpoint'][:20]}-other", arn(emulator, other))
    allowed_caller, remove_allowed = hand_written_caller(emulator, f"{applied['endpoint'][:20]}-same", arn(emulator, compared))
    try:
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            denied_caller.invoke_endpoint(EndpointName=endpoint, Body=b"{}", ContentType="application/json")
        error = raised.value.response["Error"]
        assert error["Code"] == "AccessDeniedException"
        assert f"sagemaker:InvokeEndpoint on resource: {arn(emulator, compared)}" in error["Message"]
        response = allowed_caller.invoke_endpoint(EndpointName=endpoint, Body=b"{}", ContentType="application/json")
        assert response["Body"].read() == b"{}"
        assert emulator.invocations()[-1]["endpoint"] == endpoint  # the journal names the endpoint that answered
    finally:
        remove_denied()
        remove_allowed()
