"""What the emulator, playing SageMaker, hands the model and hands back to the caller.

- To the model: "SageMaker strips all POST headers except those supported by
  InvokeEndpoint" (Amazon SageMaker Developer Guide, "How Your Container Should Respond to
  Inference Requests"), so the model sees InvokeEndpoint's header names whichever runtime
  API was called.
- To the caller: only the headers the operation's output declares (botocore's
  sagemaker-runtime model); the streaming call carries the content type in
  `X-Amzn-SageMaker-Content-Type` and has no session headers.
- Sessions: the model creates and closes them (InvokeEndpoint's SessionId, Amazon SageMaker
  API Reference); SageMaker routes by the ids it saw in the model's answers.
- A model's non-2xx answer is a ModelError (424) "Received client error (400) from primary
  with message ..." (the wording AWS's answers carry, as quoted in public reports; the API
  reference documents the error and its OriginalStatusCode/OriginalMessage members, not
  the sentence).
"""

from __future__ import annotations

import datetime
import json

import pytest

from xacct.emulator import sagemaker_headers
from xacct.emulator.sagemaker_echo import model_error

pytestmark = pytest.mark.unit

STREAM = "InvokeEndpointWithResponseStream"


def test_the_model_sees_invoke_endpoint_header_names_for_either_api():
    members = sagemaker_headers.read(STREAM, {"X-Amzn-SageMaker-Accept": "application/json",
                                              "X-Amzn-SageMaker-Custom-Attributes": "stream=true",
                                              "X-Amzn-SageMaker-Session-Id": "s-1", "Content-Type": "text/plain"})
    assert sagemaker_headers.container_headers(members) == {
        "Content-Type": "text/plain", "Accept": "application/json",
        "X-Amzn-SageMaker-Custom-Attributes": "stream=true", "X-Amzn-SageMaker-Session-Id": "s-1"}


def test_only_headers_the_operation_declares_reach_the_caller():
    model = {"content-type": "text/plain", "X-Amzn-SageMaker-Custom-Attributes": "a=b", "X-Debug": "secret",
             "X-Amzn-SageMaker-Closed-Session-Id": "s-1"}
    assert sagemaker_headers.returned_headers("InvokeEndpoint", model) == {
        "Content-Type": "text/plain", "X-Amzn-SageMaker-Custom-Attributes": "a=b",
        "X-Amzn-SageMaker-Closed-Session-Id": "s-1"}
    assert sagemaker_headers.returned_headers(STREAM, model) == {
        "X-Amzn-SageMaker-Content-Type": "text/plain", "X-Amzn-SageMaker-Custom-Attributes": "a=b"}


def test_sessions_are_the_ones_the_model_opened_and_not_yet_closed():
    account, endpoint = "123456789012", "Sessions-Endpoint"
    unknown = "Session s-9 is not found or has been closed for endpoint Sessions-Endpoint."
    assert sagemaker_headers.check_session(account, endpoint, "s-9") == unknown
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sagemaker_headers.follow_model_sessions(account, endpoint, {"X-Amzn-SageMaker-New-Session-Id": f"s-9; Expires={later}"})
    assert sagemaker_headers.check_session(account, endpoint.lower(), "s-9") is None  # names compare without case
    assert sagemaker_headers.check_session(account, endpoint, sagemaker_headers.NEW_SESSION) is None
    sagemaker_headers.follow_model_sessions(account, endpoint, {"x-amzn-sagemaker-closed-session-id": "s-9"})
    assert sagemaker_headers.check_session(account, endpoint, "s-9") == unknown


def test_a_session_the_model_let_expire_is_refused():
    account, endpoint = "123456789012", "expiring"
    sagemaker_headers.follow_model_sessions(account, endpoint,
                                            {"X-Amzn-SageMaker-New-Session-Id": "s-old; Expires=2020-01-01T00:00:00Z"})
    assert sagemaker_headers.check_session(account, endpoint, "s-old") == (
        "Session s-old is not found or has been closed for endpoint expiring.")


@pytest.mark.parametrize("status,kind", [(400, "client"), (404, "client"), (500, "server"), (503, "server")])
def test_a_model_refusal_is_a_model_error_with_its_status_and_text(status, kind):
    error = model_error(status, "bad chunk-bytes\n", "111111111111", "eu-west-1", "echo")
    code, headers, body = error.as_response()
    assert (code, headers["x-amzn-ErrorType"]) == (424, "ModelError")
    assert json.loads(body) == {
        "__type": "ModelError",
        "message": f'Received {kind} error ({status}) from primary with message "bad chunk-bytes\n". '
                   "See https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
                   "#logEventViewer:group=/aws/sagemaker/Endpoints/echo in account 111111111111 for more information.",
        "OriginalStatusCode": status, "OriginalMessage": "bad chunk-bytes\n",
        "LogStreamArn": "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/sagemaker/Endpoints/echo"}
