"""A SageMaker runtime whose model echoes the request, so tests can prove what arrived.

The answer to InvokeEndpoint is the request body, byte for byte, with the request's
content type. The response's custom attributes name the endpoint and the caller (the
session that invoked it), which is how a test sees that the parent role made the call.
Faults queued through the control API replace the answer with AWS's error for the case:
ModelError (424, carrying the container's status), ServiceUnavailable (503),
ThrottlingException (400), ModelNotReadyException (429), InternalFailure (500).

Split as moto's own services are: `parse_invocation` reads the request (the endpoint name
only from the URI path, where the SageMaker Runtime API puts it), `EchoRuntime` is the
backend (finds the endpoint, records the invocation, applies faults), and `invoke_endpoint`
turns its result or error into the HTTP answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote

from moto.sagemakerruntime import responses as runtime_responses

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
    account: str
    region: str
    endpoint_name: str
    body: bytes
    content_type: str | None
    accept: str | None
    access_key_id: str


@dataclass(frozen=True)
class Answer:
    endpoint_name: str
    variant: str
    caller_arn: str
    body: bytes
    content_type: str


# --- parse ------------------------------------------------------------------------------

def parse_invocation(response) -> Invocation:
    """Read InvokeEndpoint from moto's response object: /endpoints/{EndpointName}/invocations."""
    segments = response.path.strip("/").split("/")
    body = response.raw_body if isinstance(response.raw_body, bytes) else (response.raw_body or "").encode()
    return Invocation(
        account=response.current_account, region=response.region,
        endpoint_name=unquote(segments[1]) if len(segments) >= 3 else "",
        body=body, content_type=response.headers.get("Content-Type"), accept=response.headers.get("Accept"),
        access_key_id=access_key_id_from(response.headers["Authorization"]),  # signed: IAM checked it
    )


# --- state ------------------------------------------------------------------------------

class EchoRuntime:
    """The backend: which endpoint answers, what it received, and whether a fault replaces its answer."""

    def invoke(self, request: Invocation) -> Answer:
        if len(request.body) > MAX_BODY_BYTES:
            raise json_error(413, "ValidationError", f"Request body is {len(request.body)} bytes; the maximum is {MAX_BODY_BYTES}.")
        endpoint = find_endpoint(request.account, request.region, request.endpoint_name)
        if endpoint is None:
            raise json_error(400, "ValidationError", f"Endpoint {request.endpoint_name} of account {request.account} not found.")
        if endpoint.endpoint_status != "InService":
            raise json_error(400, "ValidationError", f"Endpoint {request.endpoint_name} of account {request.account} is not InService.")
        caller = resolve_caller(request.account, request.access_key_id, STATE.org_of)
        caller_arn = caller.principal.arn if caller else "unknown"
        STATE.record_invocation({
            "account": request.account, "endpoint": endpoint.endpoint_name, "caller": caller_arn,
            "bytes": len(request.body), "sha256": hashlib.sha256(request.body).hexdigest(),
            "content_type": request.content_type, "accept": request.accept,
        })
        fault = STATE.take_fault(request.account, endpoint.endpoint_name)
        if fault is not None:
            raise _fault_error(fault, request.account, request.region, endpoint.endpoint_name)
        variant = endpoint.production_variants[0]["VariantName"] if endpoint.production_variants else "AllTraffic"
        return Answer(endpoint.endpoint_name, variant, caller_arn, request.body,
                      request.content_type or "application/octet-stream")


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
    headers = {
        "Content-Type": answer.content_type,
        "x-Amzn-Invoked-Production-Variant": answer.variant,
        "X-Amzn-SageMaker-Custom-Attributes": f"endpoint={answer.endpoint_name};caller={answer.caller_arn}",
    }
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
