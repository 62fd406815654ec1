"""The SageMaker runtime around the echo model: the model's own code answers, the emulator plays SageMaker.

The answer to InvokeEndpoint is what the shipped echo model's container answers
(`model.echo.echo.answer`, the function its HTTP server serve.py writes to the socket):
the request body byte for byte, the request's content type, the caller's custom
attributes sent back, sessions opened and closed as the model decides. So a request gives
the same answer here and on an endpoint running the model image in AWS.

SageMaker's part, played here: authorization (authz.py), finding the endpoint, checking
every header member against botocore's service model and forwarding them to the model
under InvokeEndpoint's header names, routing sessions (sagemaker_headers.py), returning
only the model headers the operation's output declares, queued faults, and the journal.
A container answer other than 2xx reaches the caller as ModelError (424) carrying the
container's status and body ("Received client error (400) from primary with message ...",
as AWS words it). Faults queued through the control API replace the answer with AWS's
error for the case: ModelError (424, carrying the container's status), ServiceUnavailable
(503), ThrottlingException (400), ModelNotReadyException (429), InternalFailure (500).

What SageMaker never puts in a model's answer (the endpoint that answered, the caller's
ARN, the routing header members such as TargetModel, SessionId or
InferenceComponentName) is in the emulator's invocation journal instead
(`GET /_emulator/invocations`, `EmulatorProcess.invocations()`).

Split as moto's own services are: `parse_invocation` reads the request (the endpoint name
only from the URI path, where the SageMaker Runtime API puts it), `EchoRuntime` is the
backend (validates, finds the endpoint, routes sessions, records the invocation, applies
faults, asks the model), and `invoke_endpoint` (here) or the streaming handler
(sagemaker_stream.py) turns its result or error into the HTTP answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import unquote

from moto.sagemakerruntime import responses as runtime_responses

from model.echo import echo as echo_model
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
    chunks: tuple[bytes, ...]  # as the model wrote them
    streamed: bool  # the model answered with chunked transfer encoding
    headers: dict[str, str]  # the model's headers the operation returns (content type, custom attributes, sessions)
    stream_fault: object = None  # a fault the stream reports after its first part

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


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
        session_error = sagemaker_headers.check_session(
            request.account, endpoint.endpoint_name, request.members.get("SessionId"))
        if session_error:
            raise json_error(400, "ValidationError", session_error)
        caller = resolve_caller(request.account, request.access_key_id, STATE.org_of)
        variant = endpoint.production_variants[0]["VariantName"] if endpoint.production_variants else "AllTraffic"
        STATE.record_invocation({
            "operation": request.operation, "account": request.account, "endpoint": endpoint.endpoint_name,
            "variant": variant, "caller": caller.principal.arn if caller else "unknown",
            "bytes": len(request.body), "sha256": hashlib.sha256(request.body).hexdigest(),
            "content_type": request.content_type, "accept": request.accept, "members": dict(request.members),
            **({"stream": True} if request.operation != "InvokeEndpoint" else {}),
        })
        fault = STATE.take_fault(request.account, endpoint.endpoint_name)
        if fault is not None and fault.code not in stream_faults:
            raise _fault_error(fault, request.account, request.region, endpoint.endpoint_name)
        reply = echo_model.answer(request.body, sagemaker_headers.container_headers(request.members))
        if not 200 <= reply.status < 300:
            raise model_error(reply.status, reply.body.decode("utf-8", "replace"), request.account, request.region,
                              endpoint.endpoint_name)
        sagemaker_headers.follow_model_sessions(request.account, endpoint.endpoint_name, reply.headers)
        return Answer(endpoint.endpoint_name, variant, reply.chunks, reply.streamed,
                      sagemaker_headers.returned_headers(request.operation, reply.headers), fault)


def model_error(status: int, message: str, account: str, region: str, endpoint_name: str) -> AwsError:
    """A container's non-2xx answer as the caller gets it: ModelError, 424, with the container's status and body."""
    kind = "client" if 400 <= status < 500 else "server"
    return json_error(424, "ModelError",
                      f"Received {kind} error ({status}) from primary with message "
                      f'"{message}". See https://{region}.console.aws.amazon.com/cloudwatch/home'
                      f"?region={region}#logEventViewer:group=/aws/sagemaker/Endpoints/{endpoint_name} "
                      f"in account {account} for more information.",
                      {"OriginalStatusCode": status, "OriginalMessage": message,
                       "LogStreamArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/{endpoint_name}"})


def _fault_error(fault, account: str, region: str, endpoint_name: str) -> AwsError:
    if fault.code == "ModelError":
        return model_error(fault.model_status, fault.model_message, account, region, endpoint_name)
    return json_error(FAULT_STATUS.get(fault.code, 500), fault.code, f"Injected {fault.code} for endpoint {endpoint_name}.")


RUNTIME = EchoRuntime()


# --- respond ----------------------------------------------------------------------------

def invoke_endpoint(self) -> tuple[int, dict[str, str], bytes]:
    """Replacement for moto's SageMakerRuntimeResponse.invoke_endpoint."""
    try:
        answer = RUNTIME.invoke(parse_invocation(self))
    except AwsError as error:
        return error.as_response()
    return 200, {**answer.headers, "x-Amzn-Invoked-Production-Variant": answer.variant}, answer.body


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
