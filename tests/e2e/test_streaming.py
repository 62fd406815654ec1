"""Streaming (InvokeEndpointWithResponseStream) across accounts, on the emulator.

Which permission streaming needs: the SageMaker Runtime API reference for
InvokeEndpointWithResponseStream says "Before you can use this operation, your IAM
permissions must allow the sagemaker:InvokeEndpoint action." So a role granted
`sagemaker:InvokeEndpoint` on the endpoint streams, and one granted only
`sagemaker:InvokeEndpointAsync` (or nothing) is refused with AccessDeniedException.

Two consumers:
- the grant-only path: a workload with NO credential code of its own, configured by an
  AWS shared config profile (`role_arn`, `external_id`, `source_profile`,
  `duration_seconds`; AWS SDKs and Tools Reference Guide, "Assume role credential
  provider"), which botocore assumes and refreshes by itself, across forced expiries;
- the invoker Lambda of examples/two-accounts in `stream: true` mode.

The parent roles of the grant-only tests are written by hand with boto3 (not by
modules/parent), so each grant is exactly the one under test.

The last section sends the same requests to the endpoint and to the echo model's own HTTP
server started here as a process, and requires the same answers: on the emulator this
proves its echo endpoint runs the model's code; against AWS, that the deployed image
answers as the code in this checkout does.
"""

from __future__ import annotations

import json
import re

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError, EventStreamError

from tests.conftest import DEMO_MODEL_IMAGE, TARGET, TEST_RUNTIME
from tests.e2e.helpers import deployed, invoke
from tests.echo_server import echo_server
from tests.echo_server import invoke as invoke_model
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-streaming-1"
BODY = json.dumps({"inputs": "Tell me a story about two accounts", "parameters": {"max_new_tokens": 64}}).encode()
# The echo model streams when asked to (model/echo/echo.py): BODY in chunks of 24 bytes.
STREAM_ATTRIBUTES = "stream=true;chunk-bytes=24"
STREAM_PARTS = [BODY[i:i + 24] for i in range(0, len(BODY), 24)]
ON_EMULATOR = TARGET is None or TARGET.kind == "emulator"


def _assert_streamed_as_asked(parts: list[bytes]) -> None:
    """The emulator sends each chunk the model wrote as one PayloadPart (sagemaker_stream.py); AWS
    documents no such rule, so against AWS only the body and that it came in parts are checked."""
    assert b"".join(parts) == BODY
    if ON_EMULATOR:
        assert parts == STREAM_PARTS
    else:
        assert len(parts) > 1


def _role(target, name: str, actions: list[str], endpoint_arn: str) -> str:
    """A parent-account role trusted by the child account with EXTERNAL_ID, allowed `actions` on the endpoint."""
    iam = target.client("iam", "parent")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{target.accounts['child'].id}:root"},
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if actions:
        iam.put_role_policy(RoleName=name, PolicyName="invoke", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": endpoint_arn}]}))
    return arn


@pytest.fixture(scope="module")
def parent(target, run_prefix):
    """An echo endpoint in the parent account and one role per grant under test; all removed afterwards."""
    prefix = f"{run_prefix}s-"
    sagemaker = target.client("sagemaker", "parent")
    endpoint = f"{prefix}llm"
    # CreateModel refuses an execution role SageMaker cannot assume.
    model_role = target.client("iam", "parent").create_role(RoleName=f"{prefix}sagemaker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "sagemaker.amazonaws.com"}}]}))["Role"]["Arn"]
    sagemaker.create_model(ModelName=f"{prefix}model", PrimaryContainer={"Image": DEMO_MODEL_IMAGE},
                           ExecutionRoleArn=model_role)
    sagemaker.create_endpoint_config(EndpointConfigName=f"{prefix}config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{prefix}model", "InitialInstanceCount": 1,
        "InstanceType": "ml.g4dn.xlarge"}])
    endpoint_arn = sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=f"{prefix}config")["EndpointArn"]
    roles = {
        "invoke": _role(target, f"{prefix}invoke", ["sagemaker:InvokeEndpoint"], endpoint_arn),
        "async": _role(target, f"{prefix}async-only", ["sagemaker:InvokeEndpointAsync"], endpoint_arn),
        "nothing": _role(target, f"{prefix}nothing", [], endpoint_arn),
    }
    yield {"endpoint": endpoint, "endpoint_arn": endpoint_arn, "roles": roles}
    iam = target.client("iam", "parent")
    for arn in roles.values():
        name = arn.split("/")[-1]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        iam.delete_role(RoleName=name)
    sagemaker.delete_endpoint(EndpointName=endpoint)
    sagemaker.delete_endpoint_config(EndpointConfigName=f"{prefix}config")
    sagemaker.delete_model(ModelName=f"{prefix}model")
    iam.delete_role(RoleName=f"{prefix}sagemaker")


@pytest.fixture
def profile_session(target, tmp_path, monkeypatch):
    """A boto3 session configured ONLY by shared config files, as an ECS task or CI job would be.

    The child account's keys stand in for what the platform provides (the source profile);
    the endpoint URL comes from AWS_ENDPOINT_URL, as in production it is simply absent.
    """
    def make(role_arn: str) -> boto3.Session:
        child = target.accounts["child"]
        config = tmp_path / "config"
        config.write_text(
            "[profile platform]\n"
            f"region = {target.region}\n"
            "[profile llm]\n"
            f"region = {target.region}\n"
            f"role_arn = {role_arn}\n"
            f"external_id = {EXTERNAL_ID}\n"
            "source_profile = platform\n"
            "role_session_name = llm-consumer\n"
            "duration_seconds = 900\n")
        credentials = tmp_path / "credentials"
        credentials.write_text(f"[platform]\naws_access_key_id = {child.access_key_id}\n"
                               f"aws_secret_access_key = {child.secret_access_key}\n")
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        monkeypatch.setenv("AWS_ENDPOINT_URL", target.endpoint_url)
        return boto3.Session(profile_name="llm")
    return make


def _stream(session: boto3.Session, endpoint: str, on_part=None) -> list[bytes]:
    runtime = session.client("sagemaker-runtime", config=botocore.config.Config(retries={"mode": "standard"}))
    answer = runtime.invoke_endpoint_with_response_stream(EndpointName=endpoint, Body=BODY, ContentType="application/json",
                                                          CustomAttributes=STREAM_ATTRIBUTES)
    assert answer["ContentType"] == "application/json"
    parts = []
    for event in answer["Body"]:
        parts.append(event["PayloadPart"]["Bytes"])
        if on_part:
            on_part(len(parts))
    return parts


def _denied_message(target, role_arn: str, endpoint_arn: str, session_name: str) -> str:
    role_name = role_arn.split("/")[-1]
    return (f"User: arn:aws:sts::{target.accounts['parent'].id}:assumed-role/{role_name}/{session_name} "
            f"is not authorized to perform: sagemaker:InvokeEndpoint on resource: {endpoint_arn}")


def test_profile_consumer_granted_invoke_endpoint_streams(target, parent, profile_session):
    target.clear_journal()
    parts = _stream(profile_session(parent["roles"]["invoke"]), parent["endpoint"])
    assert len(parts) > 1  # it really streamed
    assert b"".join(parts) == BODY
    decisions = [e for e in target.journal() if e["action"].lower().startswith("sagemaker:")]
    # Authorized as the API reference says: sagemaker:InvokeEndpoint on the endpoint ARN.
    assert [(e["action"], e["resource"], e["allowed"]) for e in decisions] == [
        ("sagemaker:InvokeEndpoint", parent["endpoint_arn"], True)]
    assert target.invocations()[-1]["caller"].endswith(f"assumed-role/{parent['roles']['invoke'].split('/')[-1]}/llm-consumer")


@pytest.mark.parametrize("grant", ["async", "nothing"])
def test_profile_consumer_without_invoke_endpoint_is_denied(target, parent, profile_session, grant):
    role_arn = parent["roles"][grant]
    with pytest.raises(ClientError) as error:
        _stream(profile_session(role_arn), parent["endpoint"])
    response = error.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "AccessDeniedException"
    assert response["Error"]["Message"].startswith(
        _denied_message(target, role_arn, parent["endpoint_arn"], "llm-consumer"))


def test_profile_consumer_streams_across_forced_credential_expiry(target, parent, profile_session):
    """botocore assumes the role again by itself: no part fails, before, during or after an expiry.

    A 900 s session (the minimum) is always inside botocore's 15-minute advisory refresh
    window, so botocore assumes the role again before each call; a longer session is
    refreshed 15 minutes before it expires. Here every session of the role is ended by the
    emulator between streams and once in the middle of a stream.
    """
    role_arn = parent["roles"]["invoke"]
    session = profile_session(role_arn)
    keys = []
    for round_ in range(3):
        def expire_mid_stream(count):
            if count == 1 and round_ == 1:
                assert target.control("POST", "expire-sessions", {"role_arn": role_arn})["expired"] >= 1
        parts = _stream(session, parent["endpoint"], on_part=expire_mid_stream)
        assert b"".join(parts) == BODY and len(parts) > 1
        keys.append(session.get_credentials().get_frozen_credentials())
        assert target.control("POST", "expire-sessions", {"role_arn": role_arn})["expired"] >= 1
    # The keys of the first session are really dead now: AWS's error for expired keys.
    stale = boto3.Session(aws_access_key_id=keys[0].access_key, aws_secret_access_key=keys[0].secret_key,
                          aws_session_token=keys[0].token, region_name=target.region)
    with pytest.raises(ClientError) as error:
        _stream(stale, parent["endpoint"])
    assert error.value.response["Error"]["Code"] == "ExpiredTokenException"
    assert error.value.response["Error"]["Message"] == "The security token included in the request is expired"
    assert len({k.access_key for k in keys}) == 3  # a fresh session for every round


# --- the invoker Lambda of examples/two-accounts, stream: true -------------------------


@pytest.fixture(scope="module")
def deployment(target, run_prefix, run_tags):
    prefix = f"{run_prefix}t-"
    root = StagedRoot.example("two-accounts", override=target.provider_override({"parent": "parent", "child": "child"}))
    root.set_vars({
        "name_prefix": prefix,
        "external_id": EXTERNAL_ID,
        "create_demo_endpoint": True,
        "demo_endpoint_name": f"{prefix}llm",
        "demo_model_image": DEMO_MODEL_IMAGE,
        "lambda_runtime": TEST_RUNTIME,
        "tags": run_tags,
    })
    with deployed(target, root, prefix) as outputs:
        yield {"root": root, "prefix": prefix, **outputs}


def test_invoker_streams_cross_account(target, deployment):
    target.clear_journal()
    result = invoke(target, deployment["function_name"],
                    {"body": BODY.decode(), "stream": True, "custom_attributes": STREAM_ATTRIBUTES})
    assert result["statusCode"] == 200, result
    assert result["body"] == BODY.decode()
    assert (result["parts"] == len(STREAM_PARTS)) if ON_EMULATOR else (result["parts"] > 1)
    assert result["customAttributes"] == STREAM_ATTRIBUTES  # the model sent them back
    assert 0 <= result["firstPartMs"] < 10_000
    role_name = deployment["parent_role_arn"].split("/")[-1]
    assert target.invocations()[-1]["stream"] is True
    assert target.invocations()[-1]["caller"].startswith(
        f"arn:aws:sts::{target.accounts['parent'].id}:assumed-role/{role_name}/")
    decisions = [e for e in target.journal() if e["action"].lower().startswith("sagemaker:")]
    assert [(e["action"], e["allowed"]) for e in decisions] == [("sagemaker:InvokeEndpoint", True)]


@pytest.mark.parametrize("code,status", [("ModelStreamError", 424), ("InternalStreamFailure", 500)])
def test_invoker_reports_a_broken_stream_with_stage_stream(target, deployment, code, status):
    endpoint = deployment["endpoint_names"][0]
    target.inject_fault(endpoint, code)
    try:
        result = invoke(target, deployment["function_name"], {"body": BODY.decode(), "stream": True})
    finally:
        target.clear_faults()
    assert result["statusCode"] == status, result
    assert result["error"]["code"] == code
    assert result["error"]["stage"] == "stream"
    assert result["error"]["message"] == f"Injected {code} for endpoint {endpoint}."


def test_invoker_sessions_open_synchronously_and_continue_streaming(target, deployment):
    opened = invoke(target, deployment["function_name"], {"body": "hello", "session_id": "NEW_SESSION"})
    assert opened["statusCode"] == 200, opened
    session_id = opened["newSessionId"].split(";")[0]
    target.clear_journal()
    streamed = invoke(target, deployment["function_name"],
                      {"body": "again", "session_id": session_id, "stream": True, "inference_component_name": "ic-llm"})
    assert streamed["statusCode"] == 200, streamed
    assert streamed["body"] == "again"
    # What SageMaker received (the emulator's journal; SageMaker puts none of it in the model's answer).
    assert {k: target.invocations()[-1]["members"].get(k) for k in ("SessionId", "InferenceComponentName")} == {
        "SessionId": session_id, "InferenceComponentName": "ic-llm"}
    unknown = invoke(target, deployment["function_name"], {"body": "x", "session_id": "no-such-session", "stream": True})
    assert unknown["statusCode"] == 400
    assert unknown["error"]["code"] == "ValidationError" and unknown["error"]["stage"] == "invoke_endpoint"
    assert "no-such-session" in unknown["error"]["message"]


# --- the emulator's streaming surface, called directly in the parent account -------------


def _runtime(target, validate: bool = True):
    """The parent administrator's client; validate=False lets a bad length reach the service."""
    return target.client("sagemaker-runtime", "parent", parameter_validation=validate)


def test_stream_parts_are_the_chunks_the_model_wrote(target, parent):
    target.clear_journal()
    answer = _runtime(target).invoke_endpoint_with_response_stream(
        EndpointName=parent["endpoint"], Body=BODY, ContentType="application/json", Accept="application/json",
        CustomAttributes=STREAM_ATTRIBUTES, InferenceComponentName="ic-llm-1", TargetContainerHostname="c1",
        InferenceId="req-7")
    _assert_streamed_as_asked([event["PayloadPart"]["Bytes"] for event in answer["Body"]])
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"
    assert (answer["ContentType"], answer["CustomAttributes"]) == ("application/json", STREAM_ATTRIBUTES)
    members = target.invocations()[-1]["members"]
    assert {k: members.get(k) for k in ("InferenceComponentName", "TargetContainerHostname", "InferenceId", "Accept")} == {
        "InferenceComponentName": "ic-llm-1", "TargetContainerHostname": "c1", "InferenceId": "req-7",
        "Accept": "application/json"}


def test_a_model_answer_that_is_not_chunked_arrives_whole(target, parent):
    """Without `stream=true` the echo model answers with a Content-Length: the emulator sends it as
    one part (its rule; AWS documents none, so against AWS only the body is checked)."""
    answer = _runtime(target).invoke_endpoint_with_response_stream(EndpointName=parent["endpoint"], Body=BODY)
    parts = [event["PayloadPart"]["Bytes"] for event in answer["Body"]]
    assert (parts == [BODY]) if ON_EMULATOR else (b"".join(parts) == BODY)


@pytest.mark.parametrize("operation,kwargs,message", [
    ("invoke_endpoint_with_response_stream", {"InferenceComponentName": "ic-"},
     "1 validation error detected: Value 'ic-' at 'inferenceComponentName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: ^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$"),
    ("invoke_endpoint_with_response_stream", {"SessionId": "NEW_SESSION"},
     "1 validation error detected: Value 'NEW_SESSION' at 'sessionId' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"),
    ("invoke_endpoint", {"TargetModel": "model\ta.tar.gz"},
     "1 validation error detected: Value 'model\ta.tar.gz' at 'targetModel' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: \\A\\S[\\p{Print}]*\\z"),
    ("invoke_endpoint", {"TargetContainerHostname": "c" * 64},
     f"1 validation error detected: Value '{'c' * 64}' at 'targetContainerHostname' failed to satisfy constraint: "
     "Member must have length less than or equal to 63"),
], ids=["component-pattern", "stream-new-session", "target-model-pattern", "hostname-length"])
def test_bad_header_values_get_aws_validation_errors(target, parent, operation, kwargs, message):
    """Rules from botocore's service model (which checks lengths, not patterns, on the client)."""
    with pytest.raises(ClientError) as error:
        getattr(_runtime(target, validate=False), operation)(EndpointName=parent["endpoint"], Body=BODY, **kwargs)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.value.response["Error"]["Code"] == "ValidationError"
    assert error.value.response["Error"]["Message"] == message


def test_sessions_open_with_new_session_and_unknown_ones_are_refused(target, parent):
    runtime = _runtime(target)
    target.clear_journal()
    opened = runtime.invoke_endpoint(EndpointName=parent["endpoint"], Body=b"hi", SessionId="NEW_SESSION",
                                     TargetModel="model-a.tar.gz", EnableExplanations="`true`")
    new_session = opened["NewSessionId"]  # created by the model, as the API reference says
    assert re.fullmatch(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*;\sExpires=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", new_session)
    assert "CustomAttributes" not in opened  # none sent, none returned
    members = target.invocations()[-1]["members"]
    assert {k: members.get(k) for k in ("TargetModel", "SessionId", "EnableExplanations")} == {
        "TargetModel": "model-a.tar.gz", "SessionId": "NEW_SESSION", "EnableExplanations": "`true`"}
    session_id = new_session.split(";")[0]
    streamed = runtime.invoke_endpoint_with_response_stream(EndpointName=parent["endpoint"], Body=b"again",
                                                            SessionId=session_id)
    assert b"".join(e["PayloadPart"]["Bytes"] for e in streamed["Body"]) == b"again"
    closed = runtime.invoke_endpoint(EndpointName=parent["endpoint"], Body=b"bye", SessionId=session_id,
                                     CustomAttributes="close-session")  # the echo model's way to close
    assert closed["ClosedSessionId"] == session_id
    for refused in ("never-opened", session_id):
        with pytest.raises(ClientError) as error:
            runtime.invoke_endpoint_with_response_stream(EndpointName=parent["endpoint"], Body=b"x", SessionId=refused)
        assert error.value.response["Error"]["Code"] == "ValidationError"
        assert error.value.response["Error"]["Message"] == (
            f"Session {refused} is not found or has been closed for endpoint {parent['endpoint']}.")


@pytest.mark.parametrize("code", ["ModelStreamError", "InternalStreamFailure"])
def test_injected_stream_faults_break_the_stream_after_the_first_part(target, parent, code):
    target.inject_fault(parent["endpoint"], code)
    answer = _runtime(target).invoke_endpoint_with_response_stream(EndpointName=parent["endpoint"], Body=BODY,
                                                                   CustomAttributes=STREAM_ATTRIBUTES)
    received = []
    with pytest.raises(EventStreamError) as error:
        for event in answer["Body"]:
            received.append(event["PayloadPart"]["Bytes"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200  # the stream had started
    assert received == STREAM_PARTS[:1]
    assert error.value.response["Error"] == {"Code": code, "Message": f"Injected {code} for endpoint {parent['endpoint']}."}


def test_a_model_error_fails_the_stream_before_it_starts(target, parent):
    target.inject_fault(parent["endpoint"], "ModelError", model_status=500, model_message="CUDA out of memory")
    with pytest.raises(ClientError) as error:
        _runtime(target).invoke_endpoint_with_response_stream(EndpointName=parent["endpoint"], Body=BODY)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert error.value.response["Error"]["Code"] == "ModelError"
    assert error.value.response["OriginalMessage"] == "CUDA out of memory"


# --- the endpoint answers as the echo model's own server does ----------------------------

# Headers SageMaker forwards to the model under the names of InvokeEndpoint's request syntax
# (Amazon SageMaker API Reference; "SageMaker strips all POST headers except those supported
# by InvokeEndpoint", Developer Guide, "How Your Container Should Respond to Inference Requests").
FORWARDED = {"ContentType": "Content-Type", "CustomAttributes": "X-Amzn-SageMaker-Custom-Attributes",
             "SessionId": "X-Amzn-SageMaker-Session-Id"}
NEW_SESSION_ANSWER = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*;\sExpires=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
CONTRACT_CASES = {
    "binary": ("invoke_endpoint", {"Body": bytes(range(256)) * 3, "ContentType": "image/x-raw"}),
    "no-content-type": ("invoke_endpoint", {"Body": b"abc"}),
    "empty-body": ("invoke_endpoint", {"Body": b"", "ContentType": "text/csv"}),
    "custom-attributes": ("invoke_endpoint", {"Body": b"{}", "ContentType": "application/json",
                                              "CustomAttributes": "trace-id=abc-123;tenant=Fraud Team"}),
    "stream-asked-of-invoke": ("invoke_endpoint", {"Body": BODY, "CustomAttributes": "stream=true;chunk-bytes=10"}),
    "stream": ("invoke_endpoint_with_response_stream", {"Body": BODY, "ContentType": "application/json",
                                                        "CustomAttributes": STREAM_ATTRIBUTES}),
    "stream-not-asked": ("invoke_endpoint_with_response_stream", {"Body": BODY, "ContentType": "text/plain"}),
    "refused": ("invoke_endpoint", {"Body": b"x", "CustomAttributes": "stream=true;chunk-bytes=0"}),
    "new-session": ("invoke_endpoint", {"Body": b"hi", "SessionId": "NEW_SESSION"}),
}


def _endpoint_answer(runtime, endpoint: str, operation: str, kwargs: dict) -> dict:
    """The endpoint's answer through sagemaker-runtime, in the terms of the model's HTTP answer."""
    try:
        response = getattr(runtime, operation)(EndpointName=endpoint, **kwargs)
    except ClientError as error:  # a model's non-2xx answer: ModelError carrying its status and body
        assert error.response["Error"]["Code"] == "ModelError", error.response
        return {"status": error.response["OriginalStatusCode"], "body": error.response["OriginalMessage"]}
    if operation == "invoke_endpoint":
        parts = [response["Body"].read()]
    else:
        parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
    return {"status": 200, "content_type": response["ContentType"], "custom_attributes": response.get("CustomAttributes"),
            "parts": parts if ON_EMULATOR else [b"".join(parts)],
            "new_session": bool(re.fullmatch(NEW_SESSION_ANSWER, response.get("NewSessionId", ""))),
            "closed_session": response.get("ClosedSessionId")}


def _model_answer(port: int, operation: str, kwargs: dict) -> dict:
    """The model server's answer to the request SageMaker forwards, as the caller of `operation` receives it."""
    raw = invoke_model(port, kwargs["Body"], {FORWARDED[k]: v for k, v in kwargs.items() if k in FORWARDED})
    if raw.status != 200:
        return {"status": raw.status, "body": b"".join(raw.chunks).decode()}
    if operation == "invoke_endpoint" or not ON_EMULATOR:
        parts = [b"".join(raw.chunks)]  # InvokeEndpoint answers the whole body
    else:
        parts = raw.chunks if raw.chunked else [c for c in raw.chunks if c]
    return {"status": 200, "content_type": raw.header("Content-Type"),
            "custom_attributes": raw.header("X-Amzn-SageMaker-Custom-Attributes"), "parts": parts,
            "new_session": bool(re.fullmatch(NEW_SESSION_ANSWER, raw.header("X-Amzn-SageMaker-New-Session-Id") or "")),
            "closed_session": raw.header("X-Amzn-SageMaker-Closed-Session-Id")}


@pytest.fixture(scope="module")
def model_server():
    with echo_server() as port:
        yield port


@pytest.fixture(scope="module")
def runtime(target):
    return _runtime(target)


@pytest.mark.parametrize("case", CONTRACT_CASES)
def test_the_endpoint_answers_as_the_model_server(runtime, parent, model_server, case):
    operation, kwargs = CONTRACT_CASES[case]
    assert _endpoint_answer(runtime, parent["endpoint"], operation, kwargs) == _model_answer(model_server, operation, kwargs)


def test_closing_a_session_answers_as_the_model_server(runtime, parent, model_server):
    opened = runtime.invoke_endpoint(EndpointName=parent["endpoint"], Body=b"hi", SessionId="NEW_SESSION")
    kwargs = {"Body": b"bye", "SessionId": opened["NewSessionId"].split(";")[0], "CustomAttributes": "close-session"}
    answer = _endpoint_answer(runtime, parent["endpoint"], "invoke_endpoint", kwargs)
    assert answer == _model_answer(model_server, "invoke_endpoint", kwargs)
    assert answer["closed_session"] == kwargs["SessionId"]


def test_the_comparison_sees_a_model_that_drops_custom_attributes(runtime, parent, model_server):
    """The seeded mistake: the emulator's old echo answered its own custom attributes, not the caller's."""
    operation, kwargs = CONTRACT_CASES["custom-attributes"]
    dropped = {k: v for k, v in kwargs.items() if k != "CustomAttributes"}
    endpoint = _endpoint_answer(runtime, parent["endpoint"], operation, kwargs)
    assert endpoint != _model_answer(model_server, operation, dropped)
    assert endpoint["custom_attributes"] == kwargs["CustomAttributes"]
