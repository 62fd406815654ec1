"""InvokeEndpointWithResponseStream on the echo endpoint, in AWS's event-stream framing.

The answer is the echo model's own (sagemaker_echo.py asks `model.echo.echo.answer`), sent
as an `application/vnd.amazon.eventstream` body of `PayloadPart` events, each carrying
`Bytes` (the SageMaker Runtime API reference, InvokeEndpointWithResponseStream; frames:
eventstream.py). Where the parts come from:

- A model that answers with HTTP/1.1 chunked transfer encoding streams (SageMaker's
  response streaming "is achieved through HTTP 1.1 chunked encoding", AWS Machine Learning
  Blog, "Introducing streaming support in Amazon SageMaker hosting"): each chunk the model
  wrote is one PayloadPart, in order. The echo model streams when the request's custom
  attributes say `stream=true`, in chunks of `chunk-bytes` (default 1024), so the same
  request asks for the same chunks of the container in AWS.
- A model that answers with a Content-Length (not chunked) arrives whole, as one
  PayloadPart (none for an empty body).

AWS does not document that one chunk maps to exactly one part: SageMaker may join or split
them, and client code must not rely on part boundaries (clients that assumed one JSON
event per part have broken on real endpoints). One part per chunk is the simplest rule
consistent with the documentation, and lets a test count the parts it asked for.
`XACCT_STREAM_PART_DELAY_SECONDS` (read at each call from the emulator's environment,
default 0.02) pauses before every part after the first, as a model generating tokens would.

A fault queued for the endpoint through the control API with code `ModelStreamError` or
`InternalStreamFailure` (the stream's documented error events) breaks the stream after
its first part: the answer has already started with HTTP 200, so the error arrives as an
exception event, which botocore raises as `EventStreamError` while the client iterates.
Any other queued code (ModelError, ServiceUnavailable, ...) fails the call before the
stream starts, as for InvokeEndpoint. Queue stream faults only for streaming calls: a
synchronous call takes whichever fault is queued.

Authorization (authz.py) is `sagemaker:InvokeEndpoint` on the endpoint ARN. The SageMaker
Runtime API reference, InvokeEndpointWithResponseStream: "Before you can use this
operation, your IAM permissions must allow the sagemaker:InvokeEndpoint action." The
Service Authorization Reference (Actions, resources, and condition keys for Amazon
SageMaker) also lists an action named `sagemaker:InvokeEndpointWithResponseStream`. The
API reference wins because it is the page that states what this operation checks; the
catalogue lists names a policy may contain, not which one each operation is authorized
against. So a grant of InvokeEndpoint alone streams. The emulator denies a caller granted
only the streaming action name; AWS documents no case where that name alone suffices, so
grant InvokeEndpoint (the name may be granted beside it for forward compatibility).
"""

from __future__ import annotations

import os
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sagemakerruntime import responses as runtime_responses
from moto.sagemakerruntime import urls as runtime_urls

from xacct.emulator import sagemaker_echo
from xacct.emulator.errors import AwsError
from xacct.emulator.eventstream import exception_event, payload_part

OPERATION = "InvokeEndpointWithResponseStream"
STREAM_FAULTS = frozenset({"ModelStreamError", "InternalStreamFailure"})
DEFAULT_DELAY_SECONDS = 0.02


def parts(answer: sagemaker_echo.Answer) -> tuple[bytes, ...]:
    """The PayloadPart payloads of a model's answer: its chunks if it streamed, else its whole body."""
    if answer.streamed:
        return answer.chunks
    return (answer.body,) if answer.body else ()


def part_delay() -> float:
    """The pause between parts in seconds, from the environment or the default."""
    return float(os.environ.get("XACCT_STREAM_PART_DELAY_SECONDS", DEFAULT_DELAY_SECONDS))


def _fault_event(fault, endpoint_name: str) -> bytes:
    if fault.code == "ModelStreamError":
        return exception_event("ModelStreamError", f"Injected ModelStreamError for endpoint {endpoint_name}.",
                               "StreamBroken")
    return exception_event("InternalStreamFailure", f"Injected InternalStreamFailure for endpoint {endpoint_name}.")


def _events(pieces: tuple[bytes, ...], delay: float, fault, endpoint_name: str):
    """The response body, produced lazily so each part leaves when it is ready."""
    for index, piece in enumerate(pieces):
        if index:
            time.sleep(delay)
        yield payload_part(piece)
        if fault is not None:  # break after the first part: the client has started reading
            time.sleep(delay)
            yield _fault_event(fault, endpoint_name)
            return
    if fault is not None:  # an answer without parts breaks at once
        yield _fault_event(fault, endpoint_name)


def invoke_endpoint_with_response_stream(self):
    """The handler moto calls for POST /endpoints/NAME/invocations-response-stream."""
    try:
        answer = sagemaker_echo.RUNTIME.invoke(sagemaker_echo.parse_invocation(self, OPERATION), STREAM_FAULTS)
    except AwsError as error:
        return error.as_response()
    headers = {**answer.headers, "Content-Type": "application/vnd.amazon.eventstream",
               "x-Amzn-Invoked-Production-Variant": answer.variant}
    return 200, headers, _events(parts(answer), part_delay(), answer.stream_fault, answer.endpoint_name)


_moto_infer_host = DomainDispatcherApplication.infer_service_region_host
STREAM_PATH_END = "/invocations-response-stream"


def _infer_host(self, environ, path):
    """moto sends a SageMaker-signed request to the runtime only when its path ends in "invocations"."""
    host = _moto_infer_host(self, environ, path)
    if host and host.startswith("api.sagemaker.") and environ.get("PATH_INFO", "").endswith(STREAM_PATH_END):
        return "runtime." + host[len("api."):]
    return host


def install() -> None:
    """Route the streaming path to the echo (moto has no handler for it)."""
    DomainDispatcherApplication.infer_service_region_host = _infer_host
    runtime_urls.url_paths["{0}/endpoints/(?P<name>[^/]+)/invocations-response-stream$"] = runtime_urls.response.dispatch
    runtime_responses.SageMakerRuntimeResponse.use_raw_body = True
    runtime_responses.SageMakerRuntimeResponse.invoke_endpoint_with_response_stream = invoke_endpoint_with_response_stream
