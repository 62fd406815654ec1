"""Invoke requests read as AWS reads them, and refused as AWS refuses them.

Where each parameter lives (AWS Lambda API reference, "Invoke"; Amazon SageMaker Runtime
API reference, "InvokeEndpoint"; botocore's service models say the same): FunctionName is
a URI path parameter, Qualifier a query-string parameter, the payload is the body;
EndpointName is a URI path parameter and the body is the model's input. So what a caller
puts in a body, a query string or a header can never choose another function, version or
endpoint than the one IAM authorized.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import botocore.config
import botocore.exceptions
import pytest

from xacct.emulator.client import EmulatorProcess

pytestmark = pytest.mark.emulator  # starts emulator processes

ROLE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
# A model's execution role must trust SageMaker, or CreateModel refuses it (sagemaker_model_checks.py).
MODEL_ROLE_TRUST = ROLE_TRUST.replace("lambda.amazonaws.com", "sagemaker.amazonaws.com")


def code_zip(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n"
                                       f"    return {{'marker': {marker!r}, 'function': context.function_name, 'event': event}}\n")
    return buffer.getvalue()


def user_client(emu, account: str, user: str, policy: dict, service: str):
    """A client for a new IAM user of `account` that holds only `policy`."""
    iam = emu.client("iam", account)
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="only", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    session = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                            region_name=emu.region)
    return session.client(service, endpoint_url=emu.endpoint_url,
                          config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))


def with_query(client, event: str, query: str) -> None:
    """Append `query` to every request URL of `client` (before signing, so the signature covers it)."""
    def add(request, **_):
        request.url += ("&" if "?" in request.url else "?") + query
    client.meta.events.register(f"before-sign.{event}", add)


@pytest.fixture(scope="module")
def emu():
    with EmulatorProcess() as emulator:
        child = emulator.accounts["child"].id
        iam = emulator.client("iam", "child")
        role_arn = iam.create_role(RoleName="fn-exec", AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]
        lam = emulator.client("lambda", "child")
        for name, marker in (("fn-allowed", "allowed"), ("fn-other", "other")):
            lam.create_function(FunctionName=name, Runtime="python3.8", Role=role_arn, Handler="handler.handler",
                                Code={"ZipFile": code_zip(marker)}, Publish=True)  # version 1
        lam.update_function_code(FunctionName="fn-allowed", ZipFile=code_zip("allowed-latest"))  # $LATEST differs
        emulator.child_id = child

        sagemaker = emulator.client("sagemaker", "parent")
        exec_role = emulator.client("iam", "parent").create_role(
            RoleName="model-exec", AssumeRolePolicyDocument=MODEL_ROLE_TRUST)["Role"]["Arn"]
        for name in ("ep-allowed", "ep-other"):
            sagemaker.create_model(ModelName=f"{name}-model", ExecutionRoleArn=exec_role,
                                   PrimaryContainer={"Image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1"})
            sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[{
                "VariantName": "AllTraffic", "ModelName": f"{name}-model", "InitialInstanceCount": 1,
                "InstanceType": "ml.t2.medium"}])
            sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
        yield emulator


@pytest.fixture(scope="module")
def endpoint_caller(emu):
    """A parent-account user allowed to invoke ep-allowed only."""
    arn = emu.client("sagemaker", "parent").describe_endpoint(EndpointName="ep-allowed")["EndpointArn"]
    return user_client(emu, "parent", "endpoint-caller",
                       {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint",
                                                                "Resource": arn}]}, "sagemaker-runtime")


@pytest.fixture(scope="module")
def function_caller(emu):
    """A child-account user allowed to invoke fn-allowed (any version) only."""
    arn = f"arn:aws:lambda:{emu.region}:{emu.child_id}:function:fn-allowed"
    return user_client(emu, "child", "function-caller",
                       {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                                "Resource": [arn, arn + ":*"]}]}, "lambda")


def served_endpoint(emu) -> str:
    """The endpoint that answered the last invocation, from the emulator's journal (not the model's answer)."""
    return emu.invocations()[-1]["endpoint"]


# --- dispatch equals authorization: SageMaker runtime ----------------------------------

def test_the_caller_is_refused_the_other_endpoint(emu, endpoint_caller):
    """The control for the tests below: the policy really does exclude ep-other."""
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        endpoint_caller.invoke_endpoint(EndpointName="ep-other", Body=b"{}", ContentType="application/json")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "sagemaker:InvokeEndpoint on resource: arn:aws:sagemaker:us-east-1:111111111111:endpoint/ep-other" in \
        denied.value.response["Error"]["Message"]


def test_endpoint_name_in_the_body_does_not_redirect(emu, endpoint_caller):
    body = json.dumps({"EndpointName": "ep-other"}).encode()
    response = endpoint_caller.invoke_endpoint(EndpointName="ep-allowed", Body=body, ContentType="application/json")
    assert served_endpoint(emu) == "ep-allowed"
    assert response["Body"].read() == body


def test_endpoint_name_in_the_query_string_does_not_redirect(emu, endpoint_caller):
    with_query(endpoint_caller, "sagemaker-runtime.InvokeEndpoint", "EndpointName=ep-other")
    try:
        response = endpoint_caller.invoke_endpoint(EndpointName="ep-allowed", Body=b"{}", ContentType="application/json")
    finally:
        endpoint_caller.meta.events.unregister("before-sign.sagemaker-runtime.InvokeEndpoint")
    assert served_endpoint(emu) == "ep-allowed"
    assert response["Body"].read() == b"{}"


def test_endpoint_name_in_a_header_does_not_redirect(emu, endpoint_caller):
    """moto falls back to the headers for parameters when there is no query string and no form body."""
    client = endpoint_caller
    handler = lambda request, **_: request.headers.add_header("EndpointName", "ep-other")  # noqa: E731
    client.meta.events.register("before-sign.sagemaker-runtime.InvokeEndpoint", handler)
    try:
        response = client.invoke_endpoint(EndpointName="ep-allowed", Body=b"", ContentType="application/json")
    finally:
        client.meta.events.unregister("before-sign.sagemaker-runtime.InvokeEndpoint", handler)
    assert served_endpoint(emu) == "ep-allowed"
    assert response["Body"].read() == b""


# --- dispatch equals authorization: Lambda ---------------------------------------------

def invoke(client, **kwargs) -> dict:
    response = client.invoke(**kwargs)
    assert "FunctionError" not in response
    return json.loads(response["Payload"].read())


def test_the_caller_is_refused_the_other_function(emu, function_caller):
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        function_caller.invoke(FunctionName="fn-other", Payload=b"{}")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"


@pytest.mark.parametrize("key", ["FunctionName", "functionName", "function_name"])
def test_function_name_in_the_payload_does_not_redirect(emu, function_caller, key):
    result = invoke(function_caller, FunctionName="fn-allowed", Payload=json.dumps({key: "fn-other"}).encode())
    assert result["function"] == "fn-allowed" and result["marker"] == "allowed-latest"
    assert result["event"] == {key: "fn-other"}


def test_function_name_in_the_query_string_does_not_redirect(emu, function_caller):
    with_query(function_caller, "lambda.Invoke", "FunctionName=fn-other")
    try:
        result = invoke(function_caller, FunctionName="fn-allowed", Payload=b"{}")
    finally:
        function_caller.meta.events.unregister("before-sign.lambda.Invoke")
    assert result["function"] == "fn-allowed"


@pytest.mark.parametrize("key", ["qualifier", "Qualifier"])
def test_qualifier_in_the_payload_does_not_choose_the_version(emu, function_caller, key):
    """The old emulator read `qualifier` from the payload: version 1 (or a 404) instead of $LATEST."""
    result = invoke(function_caller, FunctionName="fn-allowed", Payload=json.dumps({key: "1"}).encode())
    assert result["marker"] == "allowed-latest"
    result = invoke(function_caller, FunctionName="fn-allowed", Payload=json.dumps({key: "no-such-alias"}).encode())
    assert result["marker"] == "allowed-latest"


def test_qualifier_in_a_header_does_not_choose_the_version(emu, function_caller):
    handler = lambda request, **_: request.headers.add_header("Qualifier", "1")  # noqa: E731
    function_caller.meta.events.register("before-sign.lambda.Invoke", handler)
    try:
        result = invoke(function_caller, FunctionName="fn-allowed", Payload=b"")
    finally:
        function_caller.meta.events.unregister("before-sign.lambda.Invoke", handler)
    assert result["marker"] == "allowed-latest"


def test_the_qualifier_parameter_chooses_the_version(emu, function_caller):
    """The control: ?Qualifier= is where Lambda reads it, and there it works."""
    assert invoke(function_caller, FunctionName="fn-allowed", Qualifier="1", Payload=b"{}")["marker"] == "allowed"
    assert invoke(function_caller, FunctionName="fn-allowed", Qualifier="$LATEST", Payload=b"{}")["marker"] == "allowed-latest"


# --- Lambda Invoke input errors (AWS Lambda API reference, "Invoke", Errors) ------------

def lambda_error(client, **kwargs) -> tuple[int, str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        client.invoke(**kwargs)
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


@pytest.mark.parametrize("payload", [b"not json", b"{", b'{"a": }', b"\xff\xfe"])
def test_a_payload_that_is_not_json_is_invalid_request_content(emu, payload):
    status, code, message = lambda_error(emu.client("lambda", "child"), FunctionName="fn-allowed", Payload=payload)
    assert (status, code) == (400, "InvalidRequestContentException")
    assert message.startswith("Could not parse request body into json: Could not parse payload into json: ")


def test_an_empty_payload_reaches_the_function_as_an_empty_object(emu):
    """Lambda API reference, Invoke: Payload is optional; without one the function gets {}."""
    result = invoke(emu.client("lambda", "child"), FunctionName="fn-allowed", Payload=b"")
    assert result["event"] == {}
    assert invoke(emu.client("lambda", "child"), FunctionName="fn-allowed")["event"] == {}


def test_an_oversized_payload_is_refused_with_413(emu):
    """Lambda quotas: 6 MB (6,291,456 bytes) for a synchronous request. AWS's answer, as users
    report it (e.g. pelmers/streetwarp-web#14): RequestEntityTooLargeException, "Request must
    be smaller than 6291456 bytes for the InvokeFunction operation"."""
    payload = json.dumps({"x": "a" * 6_291_456}).encode()
    status, code, message = lambda_error(emu.client("lambda", "child"), FunctionName="fn-allowed", Payload=payload)
    assert (status, code) == (413, "RequestEntityTooLargeException")
    assert message == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"


def test_an_unknown_function_is_resource_not_found(emu):
    status, code, message = lambda_error(emu.client("lambda", "child"), FunctionName="no-such-function", Payload=b"{}")
    assert (status, code) == (404, "ResourceNotFoundException")
    assert message == f"Function not found: arn:aws:lambda:us-east-1:{emu.child_id}:function:no-such-function"


def test_an_unknown_version_is_resource_not_found(emu):
    status, code, message = lambda_error(emu.client("lambda", "child"), FunctionName="fn-allowed", Qualifier="7",
                                         Payload=b"{}")
    assert (status, code) == (404, "ResourceNotFoundException")
    assert message.startswith("Function not found: arn:aws:lambda:us-east-1:")


@pytest.mark.parametrize("qualifier", ["bad qualifier", "v1!", "x" * 129])
def test_a_malformed_qualifier_is_a_validation_error(emu, qualifier):
    status, code, message = lambda_error(emu.client("lambda", "child"), FunctionName="fn-allowed", Qualifier=qualifier,
                                         Payload=b"{}")
    assert (status, code) == (400, "ValidationException")
    assert message.startswith(f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint")


# --- which runtime ran it --------------------------------------------------------------

def test_the_journal_and_the_log_name_the_declared_runtime_and_the_interpreter(emu):
    import platform
    import sys

    invoke(emu.client("lambda", "child"), FunctionName="fn-other", Payload=b"{}")
    runs = [e for e in emu.journal() if e["action"] == "emulator:RunFunction" and e["function"].endswith(":fn-other")]
    assert runs, emu.journal()
    interpreter = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert runs[-1]["declared_runtime"] == "python3.8"
    assert runs[-1]["interpreter"] == interpreter
    assert (f"function:fn-other declares runtime python3.8; running it with Python {platform.python_version()}"
            in emu.log_text())
