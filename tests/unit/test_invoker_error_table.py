"""The invoker's error mapping, row by row (lambda_src/sagemaker_invoker/errors.py).

mutmut mutates code inside functions only, so the module-level tables that decide
retryability (RETRYABLE_CODES, STREAM_ERROR_STATUS, throttle_retry.THROTTLING_CODES) are
pinned here one row at a time, and every branch of ``error_response`` is asserted whole:
status, code, message, stage and retryable.

Sources: the SageMaker Runtime API reference, InvokeEndpoint and
InvokeEndpointWithResponseStream "Errors" (InternalFailure 500, ServiceUnavailable 503,
ValidationError 400, ModelError 424, ModelNotReadyException 429, ModelStreamError 424,
InternalStreamFailure 500); the STS API reference, AssumeRole "Errors"; and the AWS SDKs
and Tools Reference Guide, "Retry behavior": throttling and transient errors (and any 5xx)
are the ones worth trying again.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from urllib3.exceptions import ProtocolError
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeoutError

from sagemaker_invoker import errors, throttle_retry
from sagemaker_invoker.config import ConfigurationError
from sagemaker_invoker.contract import InvalidRequest
from sagemaker_invoker.parent_access import AssumeRoleError

pytestmark = pytest.mark.unit


def client_error(code, status=400, message="AWS says no", request_id="rid-1", operation="InvokeEndpoint", **extra):
    """A ClientError as botocore raises it: the parsed error body plus ResponseMetadata."""
    metadata = {"RequestId": request_id} if status is None else {"HTTPStatusCode": status, "RequestId": request_id}
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": metadata, **extra}, operation)


# Codes retryable whatever the status they come with: throttling (STS: Throttling;
# SageMaker: ThrottlingException), the runtime's transient failures, the model still
# loading, and STS's identity-provider and timeout errors.
RETRYABLE = sorted(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
                    "ServiceUnavailable", "InternalFailure", "ModelNotReadyException", "IDPCommunicationError",
                    "RequestTimeout", "RequestTimeoutException"])
# Errors that say the request itself is wrong: sending it again changes nothing.
NOT_RETRYABLE = ["ValidationError", "AccessDenied", "AccessDeniedException", "ModelError", "ExpiredTokenException",
                 "MalformedPolicyDocument", "RegionDisabledException", "PackedPolicyTooLarge"]


def test_the_retryable_table_is_exactly_the_documented_codes():
    assert errors.RETRYABLE_CODES == frozenset(RETRYABLE)


@pytest.mark.parametrize("code", RETRYABLE)
def test_each_retryable_code_is_retryable_even_below_500(code):
    result = errors.error_response(client_error(code, 400, f"{code} said"), "invoke_endpoint")
    assert result == {"statusCode": 400, "error": {"code": code, "message": f"{code} said", "stage": "invoke_endpoint",
                                                   "retryable": True, "requestId": "rid-1"}}


@pytest.mark.parametrize("code", NOT_RETRYABLE)
def test_a_client_side_error_is_not_retryable(code):
    assert errors.error_response(client_error(code, 403), "assume_role")["error"]["retryable"] is False


@pytest.mark.parametrize("status, retryable", [(499, False), (500, True), (502, True), (503, True), (504, True)])
def test_any_5xx_is_retryable_and_nothing_below(status, retryable):
    """"Retry behavior": transient errors include every 5xx answer; 4xx are the caller's."""
    result = errors.error_response(client_error("SomethingNew", status), "invoke_endpoint")
    assert (result["statusCode"], result["error"]["retryable"]) == (status, retryable)


def test_the_stream_error_table_gives_each_event_its_documented_status():
    assert errors.STREAM_ERROR_STATUS == {"ModelStreamError": 424, "InternalStreamFailure": 500}


@pytest.mark.parametrize("code, status, retryable", [("ModelStreamError", 424, False),
                                                     ("InternalStreamFailure", 500, True),
                                                     ("UnknownStreamEvent", 500, True)])
def test_a_stream_error_event_without_a_status_takes_the_documented_one(code, status, retryable):
    """Stream error events arrive after HTTP 200 and carry no status of their own; an
    unknown one is treated as the service's failure (500)."""
    result = errors.error_response(client_error(code, None, "mid-stream"), "stream")
    assert result == {"statusCode": status, "error": {"code": code, "message": "mid-stream", "stage": "stream",
                                                      "retryable": retryable, "requestId": "rid-1"}}


def test_an_error_without_code_or_message_is_reported_as_unknown_with_an_empty_message():
    error = ClientError({"ResponseMetadata": {"HTTPStatusCode": 400}}, "InvokeEndpoint")
    assert errors.error_response(error, "invoke_endpoint") == {
        "statusCode": 400, "error": {"code": "Unknown", "message": "", "stage": "invoke_endpoint", "retryable": False}}


def test_model_error_fields_are_copied_and_only_model_error_gets_them():
    fields = {"OriginalStatusCode": 503, "OriginalMessage": "busy", "LogStreamArn": "arn:aws:logs:x"}
    model = errors.error_response(client_error("ModelError", 424, **fields), "invoke_endpoint")["error"]
    assert (model["modelStatusCode"], model["modelMessage"], model["logStreamArn"]) == (503, "busy", "arn:aws:logs:x")
    other = errors.error_response(client_error("ValidationError", 400, **fields), "invoke_endpoint")["error"]
    assert not {"modelStatusCode", "modelMessage", "logStreamArn"} & set(other)


def test_an_assume_role_failure_is_reported_at_assume_role_whatever_the_stage():
    """The keys may be refreshed while InvokeEndpoint is being signed; the failure is STS's."""
    wrapped = AssumeRoleError(client_error("AccessDenied", 403, "not authorized", operation="AssumeRole"))
    assert errors.error_response(wrapped, "invoke_endpoint") == {
        "statusCode": 403, "error": {"code": "AccessDenied", "message": "not authorized", "stage": "assume_role",
                                     "retryable": False, "requestId": "rid-1"}}


def test_invalid_request_and_configuration_errors_keep_their_own_stage():
    assert errors.error_response(InvalidRequest("body", "bad body"), "assume_role") == {
        "statusCode": 400, "error": {"code": "InvalidRequest", "message": "bad body", "stage": "validation",
                                     "retryable": False, "field": "body"}}
    assert errors.error_response(ConfigurationError("MAX_ATTEMPTS", "is wrong"), "validation") == {
        "statusCode": 500, "error": {"code": "ConfigurationError", "message": "MAX_ATTEMPTS is wrong",
                                     "stage": "configuration", "retryable": False, "variable": "MAX_ATTEMPTS"}}


@pytest.mark.parametrize("exc", [ReadTimeoutError(endpoint_url="https://x"), ConnectTimeoutError(endpoint_url="https://x"),
                                 Urllib3ReadTimeoutError(None, "https://x", "read timed out")],
                         ids=["botocore-read", "botocore-connect", "urllib3-read"])
def test_timeouts_are_504_retryable_at_the_stage_they_happened(exc):
    assert errors.error_response(exc, "stream") == {
        "statusCode": 504, "error": {"code": "Timeout", "message": str(exc), "stage": "stream", "retryable": True}}


@pytest.mark.parametrize("exc", [EndpointConnectionError(endpoint_url="https://x"), ProtocolError("connection broken")],
                         ids=["botocore", "urllib3"])
def test_connection_failures_are_502_retryable_at_the_stage_they_happened(exc):
    assert errors.error_response(exc, "invoke_endpoint") == {
        "statusCode": 502, "error": {"code": "ConnectionError", "message": str(exc), "stage": "invoke_endpoint",
                                     "retryable": True}}


@pytest.mark.parametrize("request_id, message", [
    ("req-9", "internal error in the invoker function; see its logs for request req-9"),
    (None, "internal error in the invoker function; see its logs")])
def test_an_unforeseen_failure_is_an_internal_error_that_is_not_retryable(request_id, message):
    assert errors.error_response(KeyError("detail"), "assume_role", request_id) == {
        "statusCode": 500, "error": {"code": "InternalError", "message": message, "stage": "assume_role",
                                     "retryable": False}}


def test_only_throttling_is_retried_past_the_attempt_budget():
    """STS answers throttling with "Throttling", the SageMaker runtime with
    "ThrottlingException"; both are in the retryable table too."""
    assert throttle_retry.THROTTLING_CODES == frozenset({"Throttling", "ThrottlingException"})
    assert throttle_retry.THROTTLING_CODES <= errors.RETRYABLE_CODES
