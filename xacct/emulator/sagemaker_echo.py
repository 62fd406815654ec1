"""A SageMaker runtime whose model echoes the request, so tests can prove what arrived.

The answer to InvokeEndpoint is the request body, byte for byte, with the request's
content type. The response's custom attributes name the endpoint and the caller (the
session that invoked it), which is how a test sees that the parent role made the call.
Faults queued through the control API replace the answer with AWS's error for the case:
ModelError (424, carrying the container's status), ServiceUnavailable (503),
ThrottlingException (400), ModelNotReadyException (429), InternalFailure (500).

Every header member of the call (TargetModel, InferenceComponentName, SessionId, ...) is
checked against botocore's service model and echoed in the custom attributes
(sagemaker_headers.py); `SessionId: NEW_SESSION` opens a stateful session.

Split as moto's own services are: `parse_invocation` reads the request (the endpoint name
only from the URI path, where the SageMaker Runtime API puts it), `EchoRuntime` is the
backend (validates, finds the endpoint, keeps sessions, records the invocation, applies
faults), and `invoke_endpoint` (here) or the streaming handler (sagemaker_stream.py) turns
its result or error into the HTTP answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote

from moto.sagemakerruntime import responses as runtime_responses

from xacct.emulator import sagemaker_headers
from xacct.emulator.errors import AwsError, json_error
from xacct.emulator.identity import access_key_id_from, resolve_caller
from xacct.emulator.sagemaker_models import find_endpoint
from xacct.emulator.state import STATE

MAX_BODY_BYTES = 6_291_456  # InvokeEndpoint's documented payload limit

FAULT_STATUS = {
    "ModelError": 424,
    "ServiceUnavailable": 503,
    "ThrottlingException": 400,
    "ModelNotReadyException": 429,
    "InternalFailure": 500,
    "ValidationError": 400,
}


@dataclass(frozen=True)
class Invocation:
    operation: str  # InvokeEndpoint or InvokeEndpointWithResponseStream
    account: str
    region: str
    endpoint_name: str
    body: bytes
    content_type: str | None
    accept: str | None
    access_key_id: str
    members: dict[str, str]  # the call's header members, by member name


@dataclass(frozen=True)
class Answer:
    endpoint_name: str
    variant: str
    caller_arn: str
    body: bytes
    content_type: str
    headers: dict[str, str]  # custom attributes and session headers
    stream_fault: object = None  # a fault the stream reports after its first part


# --- parse ------------------------------------------------------------------------------

def parse_invocation(response, operation: str = "InvokeEndpoint") -> Invocation:
    """Read the call from moto's response object: /endpoints/{EndpointName}/invocations[...]."""
    segments = response.path.split("?", 1)[0].strip("/").split("/")
    body = response.raw_body if isinstance(response.raw_body, bytes) else (response.raw_body or "").encode()
    members = sagemaker_headers.read(operation, response.headers)
    return Invocation(
        operation=operation, account=response.current_account, region=response.region,
        endpoint_name=unquote(segments[1]) if len(segments) >= 3 else "",
        body=body, content_type=response.headers.get("Content-Type"),
        accept=members.get("Accept") or response.headers.get("Accept"),
        access_key_id=access_key_id_from(response.headers["Authorization"]),  # signed: IAM checked it
        members=members,
    )


# --- state ------------------------------------------------------------------------------

class EchoRuntime:
    """The backend: which endpoint answers, what it received, and whether a fault replaces its answer."""

    def invoke(self, request: Invocation, stream_faults: frozenset[str] = frozenset()) -> Answer:
        """The echo, or the AwsError that replaces it. A queued fault whose code is in
        ``stream_faults`` is not raised but handed back for the stream to report mid-way."""
        if len(request.body) > MAX_BODY_BYTES:
            raise json_error(413, "ValidationError", f"Request body is {len(request.body)} bytes; the maximum is {MAX_BODY_BYTES}.")
        errors = sagemaker_headers.validation_errors(request.operation, request.members)
        if errors:
            raise json_error(400, "ValidationError", sagemaker_headers.validation_message(errors))
        endpoint = find_endpoint(request.account, request.region, request.endpoint_name)
        if endpoint is None:
            raise json_error(400, "ValidationError", f"Endpoint {request.endpoint_name} of account {request.account} not found.")
        if endpoint.endpoint_status != "InService":
            raise json_error(400, "ValidationError", f"Endpoint {request.endpoint_name} of account {request.account} is not InService.")
        session_id = request.members.get("SessionId")
        session_error, new_session = sagemaker_headers.open_or_check_session(request.account, endpoint.endpoint_name, session_id)
        if session_error:
            raise json_error(400, "ValidationError", session_error)
        caller = resolve_caller(request.account, request.access_key_id, STATE.org_of)
        caller_arn = caller.principal.arn if caller else "unknown"
        STATE.record_invocation({
            "account": request.account, "endpoint": endpoint.endpoint_name, "caller": caller_arn,
            "bytes": len(request.body), "sha256": hashlib.sha256(request.body).hexdigest(),
            "content_type": request.content_type, "accept": request.accept,
            **({"stream": True} if request.operation != "InvokeEndpoint" else {}),
        })
        fault = STATE.take_fault(request.account, endpoint.endpoint_name)
        if fault is not None and fault.code not in stream_faults:
            raise _fault_error(fault, request.account, request.region, endpoint.endpoint_name)
        headers = {"X-Amzn-SageMaker-Custom-Attributes":
                   f"endpoint={endpoint.endpoint_name};caller={caller_arn}" + sagemaker_headers.echo_attributes(request.members)}
        if new_session:
            headers["X-Amzn-SageMaker-New-Session-Id"] = new_session
        elif (session_id and request.operation == "InvokeEndpoint"
              and request.members.get("CustomAttributes") == sagemaker_headers.CLOSE_SESSION_ATTRIBUTE):
            headers["X-Amzn-SageMaker-Closed-Session-Id"] = sagemaker_headers.close_session(
                request.account, endpoint.endpoint_name, session_id)
        variant = endpoint.production_variants[0]["VariantName"] if endpoint.production_variants else "AllTraffic"
        return Answer(endpoint.endpoint_name, variant, caller_arn, request.body,
                      request.content_type or "application/octet-stream", headers, fault)


def _fault_error(fault, account: str, region: str, endpoint_name: str) -> AwsError:
    if fault.code == "ModelError":
        return json_error(424, "ModelError",
                          f"Received server error ({fault.model_status}) from primary with message "
                          f'"{fault.model_message}". See https://{region}.console.aws.amazon.com/cloudwatch/home'
                          f"?region={region}#logEventViewer:group=/aws/sagemaker/Endpoints/{endpoint_name} "
                          f"in account {account} for more information.",
                          {"OriginalStatusCode": fault.model_status, "OriginalMessage": fault.model_message,
                           "LogStreamArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/{endpoint_name}"})
    return json_error(FAULT_STATUS.get(fault.code, 500), fault.code, f"Injected {fault.code} for endpoint {endpoint_name}.")


RUNTIME = EchoRuntime()


# --- respond ----------------------------------------------------------------------------

def invoke_endpoint(self) -> tuple[int, dict[str, str], bytes]:
    """Replacement for moto's SageMakerRuntimeResponse.invoke_endpoint."""
    try:
        answer = RUNTIME.invoke(parse_invocation(self))
    except AwsError as error:
        return error.as_response()
    headers = {"Content-Type": answer.content_type, "x-Amzn-Invoked-Production-Variant": answer.variant, **answer.headers}
    return 200, headers, answer.body


_moto_invoke_endpoint_async = runtime_responses.SageMakerRuntimeResponse.invoke_endpoint_async


def invoke_endpoint_async(self):
    """moto's InvokeEndpointAsync, for endpoints that exist, answered 202 as the API defines."""
    request = parse_invocation(self)
    if find_endpoint(request.account, request.region, request.endpoint_name) is None:
        return json_error(400, "ValidationError",
                          f"Endpoint {request.endpoint_name} of account {request.account} not found.").as_response()
    _, headers, body = _moto_invoke_endpoint_async(self)
    return 202, headers, body


def install() -> None:
    runtime_responses.SageMakerRuntimeResponse.invoke_endpoint_async = invoke_endpoint_async
    # Model inputs are bytes (images, protobuf...): moto would decode them as UTF-8 and fail.
    runtime_responses.SageMakerRuntimeResponse.use_raw_body = True
    runtime_responses.SageMakerRuntimeResponse.invoke_endpoint = invoke_endpoint
