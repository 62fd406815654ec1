"""Lambda entry point: validate, assume the parent role, invoke the endpoint.

Handler setting: ``sagemaker_invoker.handler.lambda_handler``.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any, Callable, Dict, Optional

from . import config, logs, parent_access
from .contract import RECENT_MEMBERS, InvalidRequest, InvokeRequest, parse_event
from .errors import error_response
from .parent_access import ParentAccess

_log = logging.getLogger(logs.PACKAGE_LOGGER)
# Lambda's root logger lets WARNING through by default; the per-invocation
# line is INFO, so open this package's logger to INFO until LOG_LEVEL is read.
if _log.level == logging.NOTSET:
    _log.setLevel(logging.INFO)


def _success(request: InvokeRequest, response: Dict[str, Any], payload: bytes) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "statusCode": 200,
        "endpoint": request.endpoint,
        "contentType": response.get("ContentType"),
        "invokedProductionVariant": response.get("InvokedProductionVariant"),
    }
    if response.get("CustomAttributes") is not None:
        result["customAttributes"] = response["CustomAttributes"]
    for key, name in (("NewSessionId", "newSessionId"), ("ClosedSessionId", "closedSessionId")):
        if response.get(key) is not None:
            result[name] = response[key]
    text: Optional[str] = None
    if not request.binary:
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            pass  # not text: return it base64-encoded rather than mangle it
    if text is None:
        result["bodyBase64"] = base64.b64encode(payload).decode("ascii")
    else:
        result["body"] = text
    return result


def _known_to_botocore(request: InvokeRequest, access: ParentAccess, operation: str) -> Dict[str, Any]:
    """The call's arguments, refusing a field the runtime's botocore has no parameter for."""
    kwargs = request.invoke_kwargs()
    members = access.sagemaker.meta.service_model.operation_model(operation).input_shape.members
    for field, member in RECENT_MEMBERS.items():
        if member in kwargs and member not in members:
            raise InvalidRequest(field, f"field '{field}' needs a newer botocore than this function's runtime provides")
    return kwargs


def _invoke(request: InvokeRequest, access: ParentAccess):
    response = access.sagemaker.invoke_endpoint(**_known_to_botocore(request, access, "InvokeEndpoint"))
    # The body is a stream: read it fully here so a failure while reading is
    # still reported as part of the invoke_endpoint stage.
    with response["Body"] as body:
        payload = body.read()
    return response, payload


class _Stream:
    """Reads a streamed answer; ``stage`` becomes "stream" once the answer has started."""

    def __init__(self, started: float):
        self.started = started  # the invocation's start: firstPartMs includes validation and AssumeRole
        self.stage = "invoke_endpoint"
        self.parts = 0
        self.first_part_ms: Optional[float] = None

    def invoke(self, request: InvokeRequest, access: ParentAccess):
        kwargs = _known_to_botocore(request, access, "InvokeEndpointWithResponseStream")
        response = access.sagemaker.invoke_endpoint_with_response_stream(**kwargs)
        # Python Lambda runtimes cannot stream to their caller: the parts are
        # assembled here, and how they arrived is reported beside the body.
        self.stage = "stream"
        chunks = []
        for event in response["Body"]:
            part = event.get("PayloadPart")
            if part is None:
                continue  # an event type newer than this code: not part of the body
            if self.first_part_ms is None:
                self.first_part_ms = round((time.monotonic() - self.started) * 1000, 1)
            self.parts += 1
            chunks.append(part.get("Bytes", b""))
        return response, b"".join(chunks)


def _deadline(context: Any, cfg: config.Config, started: float) -> Optional[float]:
    """When this invocation must have answered (time.monotonic), from Lambda's context or FUNCTION_TIMEOUT_SECONDS."""
    limits = []
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if callable(remaining):
        limits.append(time.monotonic() + remaining() / 1000)
    if cfg.function_timeout_seconds is not None:
        limits.append(started + cfg.function_timeout_seconds)
    return min(limits) if limits else None


def lambda_handler(event: Any, context: Any) -> Dict[str, Any]:
    """The Lambda entry point: the container's own configuration and parent-account access."""
    return handle(event, context, parent_access.for_config)


def handle(event: Any, context: Any, access_for: Callable[[config.Config], ParentAccess]) -> Dict[str, Any]:
    """Serve one invocation with the parent-account access ``access_for`` gives for the configuration."""
    started = time.monotonic()
    request_id = getattr(context, "aws_request_id", None)
    stage = "configuration"
    request: Optional[InvokeRequest] = None
    payload = b""
    attempts = None
    try:
        cfg = config.get_config()
        stage = "validation"
        request = parse_event(event, cfg)  # before any AWS call
        stage = "assume_role"
        # Assume the role (first call) or refresh it (near expiry) up front,
        # so an STS failure is reported as such and never reaches SageMaker.
        access = access_for(cfg)
        access.deadline.at = _deadline(context, cfg, started)
        access.ensure_fresh()
        stage = "invoke_endpoint"
        if request.stream:
            stream = _Stream(started)
            try:
                response, payload = stream.invoke(request, access)
            finally:
                stage = stream.stage
        else:
            response, payload = _invoke(request, access)
        attempts = response.get("ResponseMetadata", {}).get("RetryAttempts")
        result = _success(request, response, payload)
        if request.stream:
            result.update(parts=stream.parts, firstPartMs=stream.first_part_ms)
    except Exception as exc:  # every failure becomes a structured response
        response_meta = getattr(exc, "response", None)
        if isinstance(response_meta, dict):
            attempts = response_meta.get("ResponseMetadata", {}).get("RetryAttempts")
        result = error_response(exc, stage, request_id)

    # One line per invocation. Never the body, never credentials.
    error = result.get("error", {})
    _log.info(
        json.dumps(
            {
                "msg": "invocation",
                "requestId": request_id,
                "endpoint": request.endpoint if request else None,
                "statusCode": result["statusCode"],
                "errorCode": error.get("code"),
                "stage": error.get("stage", "done"),
                "durationMs": round((time.monotonic() - started) * 1000, 1),
                "bytesIn": len(request.body) if request else 0,
                "bytesOut": len(payload),
                "retryAttempts": attempts,
                "stream": request.stream if request else False,
            },
            separators=(",", ":"),
        )
    )
    return result


def _reset_for_tests() -> None:
    """Forget the container's configuration and parent-account access.

    For tests only: each test then starts like a cold container and reads
    the environment it set up.
    """
    config.get_config.cache_clear()
    parent_access.for_config.cache_clear()
