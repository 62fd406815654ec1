"""The two-accounts example applied on the emulator and called through the child's Lambda.

One apply serves the module; teardown destroys it (registered before the apply) and then
requires that nothing named with the run's prefix is left in any account.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

import pytest

from tests.conftest import DEMO_MODEL_IMAGE, TEST_RUNTIME
from tests.e2e.helpers import actions_in, assert_replan_clean, assume, canary, deployed, invoke, session_from, settled
from xacct.propagation import eventually_allowed, eventually_denied
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-two-accounts-1"
LAMBDA_PAYLOAD_LIMIT = 6_291_456


@pytest.fixture(scope="module")
def deployment(target, run_prefix, run_tags):
    prefix = f"{run_prefix}a-"
    root = StagedRoot.example("two-accounts", override=target.provider_override({"parent": "parent", "child": "child"}))
    root.set_vars({
        "name_prefix": prefix,
        "external_id": EXTERNAL_ID,
        "create_demo_endpoint": True,
        # Mixed case on purpose: the parent's policy must name it in lower case to allow it.
        "demo_endpoint_name": f"{prefix}Echo-Endpoint",
        "demo_model_image": DEMO_MODEL_IMAGE,
        "lambda_runtime": TEST_RUNTIME,
        "tags": run_tags,
    })
    with deployed(target, root, prefix) as outputs:
        # The execution role, its grant and the parent's trust were created a moment ago.
        settled(target, lambda: invoke(target, outputs["function_name"], {"body": "ready", "content_type": "text/plain"}))
        yield {"root": root, "prefix": prefix, **outputs}


def test_json_body_comes_back_unchanged(target, deployment):
    endpoint = deployment["endpoint_names"][0]
    result = invoke(target, deployment["function_name"], {"endpoint": endpoint, "body": {"rows": [[1, 2.5, "x"]]}})
    assert result["statusCode"] == 200, result
    assert result["body"] == '{"rows":[[1,2.5,"x"]]}'
    assert result["contentType"] == "application/json"
    assert result["endpoint"] == endpoint


def test_the_endpoint_saw_the_parent_role_session(target, deployment):
    target.clear_journal()
    body = "caller check"
    result = invoke(target, deployment["function_name"],
                    {"body": body, "content_type": "text/plain", "custom_attributes": "trace-id=caller-check"})
    assert result["statusCode"] == 200, result
    assert result["customAttributes"] == "trace-id=caller-check"  # the echo model sends them back
    parent_id = target.accounts["parent"].id
    role_name = deployment["parent_role_arn"].split("/")[-1]
    seen = target.invocations()
    assert len(seen) == 1
    assert seen[0]["caller"].startswith(f"arn:aws:sts::{parent_id}:assumed-role/{role_name}/")
    assert seen[0]["sha256"] == hashlib.sha256(body.encode()).hexdigest()


def test_binary_body_comes_back_byte_for_byte(target, deployment):
    blob = bytes(range(256)) * 64 + os.urandom(1024)
    result = invoke(target, deployment["function_name"], {
        "body_base64": base64.b64encode(blob).decode(), "content_type": "application/octet-stream"})
    assert result["statusCode"] == 200, result
    assert base64.b64decode(result["bodyBase64"]) == blob
    assert "body" not in result


def test_payload_just_under_the_lambda_limit(target, deployment):
    # The event wrapper and the response's metadata must fit in Lambda's 6 MB each way.
    body = "a" * (LAMBDA_PAYLOAD_LIMIT - 4096)
    result = invoke(target, deployment["function_name"], {"body": body, "content_type": "text/plain"})
    assert result["statusCode"] == 200, {k: v for k, v in result.items() if k != "body"}
    assert result["body"] == body


def test_replan_shows_no_changes(deployment):
    assert_replan_clean(deployment["root"])


# --- errors reach the caller as structured responses --------------------------------


def test_endpoint_outside_the_allowed_list_is_refused_before_any_aws_call(target, deployment):
    target.clear_journal()
    result = invoke(target, deployment["function_name"], {"endpoint": "someone-elses-endpoint", "body": "x"})
    assert result["statusCode"] == 400
    assert result["error"]["code"] == "InvalidRequest"
    assert "endpoint" in result["error"]["message"]
    journal = target.journal()
    assert actions_in(journal, "lambda:InvokeFunction"), journal
    assert not actions_in(journal, "sts:AssumeRole", "sagemaker:InvokeEndpoint"), journal


@pytest.mark.parametrize("event, field", [
    ({"content_type": "text/plain"}, "body"),
    ({"body": "x", "body_base64": "eA=="}, "body"),
    ({"body": "x", "content_type": 7}, "content_type"),
    ({"body": "x", "surprise": True}, "surprise"),
    ({"body_base64": "not base64!"}, "body_base64"),
])
def test_malformed_events_are_refused_before_any_aws_call(target, deployment, event, field):
    target.clear_journal()
    result = invoke(target, deployment["function_name"], event)
    assert result["statusCode"] == 400, result
    assert result["error"]["code"] == "InvalidRequest"
    assert field in result["error"]["message"]
    assert not actions_in(target.journal(), "sts:AssumeRole", "sagemaker:InvokeEndpoint")


def test_payload_over_the_lambda_limit_is_refused_by_lambda(target, deployment):
    from botocore.exceptions import ClientError

    event = json.dumps({"body": "a" * (LAMBDA_PAYLOAD_LIMIT + 1)}).encode()
    with pytest.raises(ClientError) as error:
        target.client("lambda", "child").invoke(FunctionName=deployment["function_name"], Payload=event)
    assert error.value.response["Error"]["Code"] == "RequestEntityTooLargeException"


def test_model_error_carries_the_container_status(target, deployment):
    endpoint = deployment["endpoint_names"][0]
    target.inject_fault(endpoint, "ModelError", model_status=503, model_message="model crashed")
    result = invoke(target, deployment["function_name"], {"body": "x"})
    assert result["statusCode"] == 424, result
    assert result["error"]["code"] == "ModelError"
    assert result["error"]["modelStatusCode"] == 503
    assert result["error"]["modelMessage"] == "model crashed"
    assert result["error"]["stage"] == "invoke_endpoint"


def test_transient_errors_are_retried_then_surfaced(target, deployment):
    endpoint = deployment["endpoint_names"][0]
    target.clear_journal()
    target.inject_fault(endpoint, "ServiceUnavailable", count=3)  # as many as the Lambda's attempts
    result = invoke(target, deployment["function_name"], {"body": "x"})
    assert result["statusCode"] == 503, result
    assert result["error"]["code"] == "ServiceUnavailable"
    assert result["error"]["retryable"] is True
    assert len(target.invocations()) == 3  # botocore's standard mode tried three times


def test_throttling_past_botocores_attempts_is_absorbed_while_the_deadline_allows(target, deployment):
    """lambda_src/README.md, "Under throttling": a throttled call is retried past botocore's
    three attempts while the invocation's remaining time holds another attempt."""
    endpoint = deployment["endpoint_names"][0]
    target.clear_journal()
    target.inject_fault(endpoint, "ThrottlingException", count=4)  # one more than botocore's attempts
    result = invoke(target, deployment["function_name"], {"body": "x"})
    assert result["statusCode"] == 200, result
    assert result["body"] == "x"
    assert len(target.invocations()) == 5


def test_transient_error_then_success_is_invisible_to_the_caller(target, deployment):
    endpoint = deployment["endpoint_names"][0]
    target.clear_journal()
    target.inject_fault(endpoint, "ThrottlingException", count=1)
    result = invoke(target, deployment["function_name"], {"body": "retry me"})
    assert result["statusCode"] == 200, result
    assert result["body"] == "retry me"
    assert len(target.invocations()) == 2


def test_model_not_ready_is_surfaced_without_retry(target, deployment):
    endpoint = deployment["endpoint_names"][0]
    target.clear_journal()
    target.inject_fault(endpoint, "ModelNotReadyException", count=3)
    try:
        result = invoke(target, deployment["function_name"], {"body": "x"})
    finally:
        target.clear_faults()
    assert result["statusCode"] == 429, result
    assert result["error"]["code"] == "ModelNotReadyException"
    assert len(target.invocations()) == 1


# --- misconfiguration: each is undone so the re-plan and destroy see the applied state ---


def _with_environment(target, function_name: str, changes: dict):
    lam = target.client("lambda", "child")
    original = lam.get_function_configuration(FunctionName=function_name)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=function_name, Environment={"Variables": {**original, **changes}})
    return lambda: lam.update_function_configuration(FunctionName=function_name, Environment={"Variables": original})


@pytest.mark.parametrize("external_id", ["ext-wrong-value", None])
def test_wrong_or_missing_external_id_is_denied(target, deployment, external_id):
    changes = {"EXTERNAL_ID": external_id or ""}
    restore = _with_environment(target, deployment["function_name"], changes)
    try:
        result = invoke(target, deployment["function_name"], {"body": "x"})
    finally:
        restore()
    assert result["statusCode"] == 403, result
    assert result["error"]["code"] == "AccessDenied"
    assert result["error"]["stage"] == "assume_role"
    assert f"is not authorized to perform: sts:AssumeRole on resource: {deployment['parent_role_arn']}" in result["error"]["message"]


def test_session_longer_than_the_role_chaining_cap_is_refused_by_sts(target, deployment):
    restore = _with_environment(target, deployment["function_name"], {"SESSION_DURATION_SECONDS": "7200"})
    try:
        result = invoke(target, deployment["function_name"], {"body": "x"})
    finally:
        restore()
    assert result["statusCode"] == 400, result
    assert result["error"]["code"] == "ValidationError"
    assert "role chaining" in result["error"]["message"]


def test_missing_assume_grant_gives_the_seed_access_denied(target, deployment):
    iam = target.client("iam", "child")
    role = deployment["execution_role_arn"].split("/")[-1]
    document = iam.get_role_policy(RoleName=role, PolicyName="AssumeParentSageMakerRole")["PolicyDocument"]
    call = lambda: invoke(target, deployment["function_name"], {"body": "x"})  # noqa: E731
    settled(target, call, what="the invoker before its grant is removed")
    iam.delete_role_policy(RoleName=role, PolicyName="AssumeParentSageMakerRole")
    # A warm container keeps the parent session it already holds (removing a grant ends no
    # session): a configuration change makes Lambda start new containers, which assume anew.
    restore = _with_environment(target, deployment["function_name"], {"XACCT_TEST_CONTAINER": "without-grant"})
    try:
        # The grant was in effect a moment ago: wait until its removal is (xacct/propagation.py).
        message = eventually_denied(call, expect="is not authorized to perform: sts:AssumeRole",
                                    what="the invoker without its grant")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="AssumeParentSageMakerRole",
                            PolicyDocument=document if isinstance(document, str) else json.dumps(document))
        restore()
        settled(target, call, what="the invoker with its grant put back")  # for the tests after this one
    child_id = target.accounts["child"].id
    assert message.startswith(f"User: arn:aws:sts::{child_id}:assumed-role/{role}/")
    assert message.endswith(
        f"is not authorized to perform: sts:AssumeRole on resource: {deployment['parent_role_arn']}")


# --- who may assume the parent role, and what it may reach --------------------------


def _assume_parent(sts, role_arn: str, external_id: str = EXTERNAL_ID):
    return sts.assume_role(RoleArn=role_arn, RoleSessionName="probe", ExternalId=external_id)


def test_principal_outside_the_arn_pattern_is_denied_by_the_trust(target, deployment):
    iam = target.client("iam", "child")
    name = f"{deployment['prefix']}other-app"
    child_id = target.accounts["child"].id
    with canary(target, f"{deployment['prefix']}other-app-canary") as canary_arn:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child_id}:root"}}]}))
        try:
            iam.put_role_policy(RoleName=name, PolicyName="grant", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [deployment["parent_role_arn"], canary_arn]}]}))
            creds = eventually_allowed(lambda: target.client("sts", "child").assume_role(
                RoleArn=f"arn:aws:iam::{child_id}:role/{name}", RoleSessionName="app"), what="the new role")["Credentials"]

            session = session_from(creds, target.region)
            # Denied by the parent's trust, once the grant is shown in effect (the canary).
            message = eventually_denied(
                lambda: _assume_parent(target.client("sts", session=session), deployment["parent_role_arn"]),
                expect="is not authorized to perform: sts:AssumeRole", controls=[assume(target, session, canary_arn)],
                what="a role outside the trusted pattern")
            assert f"assumed-role/{name}/app is not authorized to perform: sts:AssumeRole" in message
        finally:
            iam.delete_role_policy(RoleName=name, PolicyName="grant")
            iam.delete_role(RoleName=name)


def test_an_untrusted_account_is_denied_even_with_every_permission(target, deployment):
    from botocore.exceptions import ClientError

    if "outsider" not in target.accounts:
        pytest.skip("no third account configured (XACCT_AWS_OUTSIDER_PROFILE)")
    with pytest.raises(ClientError) as error:
        _assume_parent(target.client("sts", "outsider"), deployment["parent_role_arn"])
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    outsider = target.accounts["outsider"].id
    assert error.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{outsider}:user/admin is not authorized to perform: sts:AssumeRole "
        f"on resource: {deployment['parent_role_arn']}")


def test_endpoint_missing_from_the_parent_policy_is_denied_by_sagemaker(target, deployment):
    sagemaker = target.client("sagemaker", "parent")
    other = f"{deployment['prefix']}not-shared"
    # The demo model's execution role: CreateModel refuses a role SageMaker cannot assume.
    config = sagemaker.describe_endpoint(EndpointName=deployment["endpoint_names"][0])["EndpointConfigName"]
    model = sagemaker.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"]
    sagemaker.create_model(ModelName=other, ExecutionRoleArn=sagemaker.describe_model(ModelName=model)["ExecutionRoleArn"],
                           PrimaryContainer={"Image": "echo"})
    sagemaker.create_endpoint_config(EndpointConfigName=other, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": other, "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
    sagemaker.create_endpoint(EndpointName=other, EndpointConfigName=other)
    allowed = ",".join([*deployment["endpoint_names"], other])
    restore = _with_environment(target, deployment["function_name"], {"ALLOWED_ENDPOINTS": allowed})
    try:
        result = invoke(target, deployment["function_name"], {"endpoint": other, "body": "x"})
    finally:
        restore()
        sagemaker.delete_endpoint(EndpointName=other)
        sagemaker.delete_endpoint_config(EndpointConfigName=other)
        sagemaker.delete_model(ModelName=other)
    assert result["statusCode"] == 403, result
    assert result["error"]["code"] == "AccessDeniedException"
    assert result["error"]["stage"] == "invoke_endpoint"
    assert "is not authorized to perform: sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:" in result["error"]["message"]
    assert f"endpoint/{other.lower()}" in result["error"]["message"]


def test_the_assumed_parent_role_can_do_nothing_but_invoke(target, deployment):
    """Stand in for the Lambda: let the admin assume its execution role for a moment."""
    from botocore.exceptions import ClientError

    iam = target.client("iam", "child")
    role = deployment["execution_role_arn"].split("/")[-1]
    original = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
    original = original if isinstance(original, str) else json.dumps(original)
    child_id = target.accounts["child"].id
    widened = json.loads(original)
    widened["Statement"].append({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child_id}:root"}})
    iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(widened))
    try:
        exec_creds = eventually_allowed(assume(target, target.session("child"), deployment["execution_role_arn"]),
                                        what="the widened execution role trust")["Credentials"]
        exec_session = session_from(exec_creds, target.region)
        parent_creds = _assume_parent(target.client("sts", session=exec_session), deployment["parent_role_arn"])["Credentials"]
    finally:
        iam.update_assume_role_policy(RoleName=role, PolicyDocument=original)
    parent = session_from(parent_creds, target.region)
    endpoint = deployment["endpoint_names"][0]
    answer = target.client("sagemaker-runtime", session=parent).invoke_endpoint(EndpointName=endpoint, Body=b"ok")
    assert answer["Body"].read() == b"ok"
    for action, call in (
        ("sagemaker:DescribeEndpoint", lambda: target.client("sagemaker", session=parent).describe_endpoint(EndpointName=endpoint)),
        ("iam:ListRoles", lambda: target.client("iam", session=parent).list_roles()),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert f"is not authorized to perform: {action}" in error.value.response["Error"]["Message"]
