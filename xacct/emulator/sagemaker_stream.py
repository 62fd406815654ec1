"""InvokeEndpointWithResponseStream on the echo endpoint, in AWS's event-stream framing.

The echo model streams the request body back as several `PayloadPart` events (the
SageMaker Runtime API reference, InvokeEndpointWithResponseStream: the answer is an
`application/vnd.amazon.eventstream` body of `PayloadPart` events, each carrying `Bytes`),
pausing between parts as a model generating tokens would (frames: eventstream.py).

A fault queued for the endpoint through the control API with code `ModelStreamError` or
`InternalStreamFailure` (the stream's documented error events) breaks the stream after
its first part: the answer has already started with HTTP 200, so the error arrives as an
exception event, which botocore raises as `EventStreamError` while the client iterates.
Any other queued code (ModelError, ServiceUnavailable, ...) fails the call before the
stream starts, as for InvokeEndpoint. Queue stream faults only for streaming calls: a
synchronous call takes whichever fault is queued.

Tuning, read at each call from the emulator's environment:
`XACCT_STREAM_PARTS` (default 4): parts the echo is cut into (at most one per byte);
`XACCT_STREAM_PART_DELAY_SECONDS` (default 0.02): pause before every part after the first.

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
DEFAULT_PARTS, DEFAULT_DELAY_SECONDS = 4, 0.02
def split(body: bytes, parts: int) -> list[bytes]:
    """`body` in `parts` pieces of near-equal size (fewer when the body is shorter)."""
    parts = max(1, min(parts, len(body)))
    size, extra = divmod(len(body), parts)
    pieces, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        pieces.append(body[start:end])
        start = end
    return pieces


def settings() -> tuple[int, float]:
    """(parts per answer, pause between parts in seconds), from the environment or the defaults."""
    return (int(os.environ.get("XACCT_STREAM_PARTS", DEFAULT_PARTS)),
            float(os.environ.get("XACCT_STREAM_PART_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)))


def _events(pieces: list[bytes], delay: float, fault, endpoint_name: str):
    """The response body, produced lazily so each part leaves when it is ready."""
    for index, piece in enumerate(pieces):
        if index:
            time.sleep(delay)
        yield payload_part(piece)
        if fault is not None:  # break after the first part: the client has started reading
            time.sleep(delay)
            if fault.code == "ModelStreamError":
                yield exception_event("ModelStreamError", f"Injected ModelStreamError for endpoint {endpoint_name}.",
                                      "StreamBroken")
            else:
                yield exception_event("InternalStreamFailure", f"Injected InternalStreamFailure for endpoint {endpoint_name}.")
            return


def invoke_endpoint_with_response_stream(self):
    """The handler moto calls for POST /endpoints/NAME/invocations-response-stream."""
    try:
        answer = sagemaker_echo.RUNTIME.invoke(sagemaker_echo.parse_invocation(self, OPERATION), STREAM_FAULTS)
    except AwsError as error:
        return error.as_response()
    parts, delay = settings()
    headers = {
        "Content-Type": "application/vnd.amazon.eventstream",
        "X-Amzn-SageMaker-Content-Type": answer.content_type,
        "x-Amzn-Invoked-Production-Variant": answer.variant,
        **answer.headers,
    }
    return 200, headers, _events(split(answer.body, parts), delay, answer.stream_fault, answer.endpoint_name)


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
