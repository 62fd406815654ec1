"""Failures mapped to structured responses.

Every failure becomes ``{"statusCode": int, "error": {"code", "message",
"stage", "retryable", ...}}``. Nothing is swallowed into a 200: AWS errors
keep AWS's HTTP status, code and message unchanged, so the caller sees what
the parent account's services said.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from botocore.exceptions import (
    ClientError,
    ConnectionError as BotoConnectionError,
    ConnectTimeoutError,
    HTTPClientError,
    ReadTimeoutError,
)

from urllib3.exceptions import ProtocolError as Urllib3ProtocolError
from urllib3.exceptions import ReadTimeoutError as Urllib3ReadTimeoutError

from .config import ConfigurationError
from .contract import InvalidRequest
from .parent_access import AssumeRoleError

_log = logging.getLogger(__name__)

# Error codes worth retrying later (after botocore's own retries gave up).
# Any 5xx is retryable as well.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalFailure",
        "ModelNotReadyException",  # 429: the model is still loading
        "IDPCommunicationError",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


# The error events of InvokeEndpointWithResponseStream arrive after HTTP 200 and
# carry no status of their own; the API reference gives each one's HTTP status.
STREAM_ERROR_STATUS = {"ModelStreamError": 424, "InternalStreamFailure": 500}


def _error(status: int, code: str, message: str, stage: str, retryable: bool, **extra: Any) -> Dict[str, Any]:
    error = {"code": code, "message": message, "stage": stage, "retryable": retryable}
    error.update({key: value for key, value in extra.items() if value is not None})
    return {"statusCode": status, "error": error}


def _client_error(exc: ClientError, stage: str) -> Dict[str, Any]:
    response = exc.response
    metadata = response.get("ResponseMetadata", {})
    code = response.get("Error", {}).get("Code") or "Unknown"
    status = metadata.get("HTTPStatusCode") or STREAM_ERROR_STATUS.get(code, 500)
    extra: Dict[str, Any] = {"requestId": metadata.get("RequestId")}
    if code == "ModelError":
        # The model container's own status and message, plus where its logs are.
        extra["modelStatusCode"] = response.get("OriginalStatusCode")
        extra["modelMessage"] = response.get("OriginalMessage")
        extra["logStreamArn"] = response.get("LogStreamArn")
    result = _error(
        status,
        code,
        response.get("Error", {}).get("Message", ""),  # AWS's words, unchanged
        stage,
        code in RETRYABLE_CODES or status >= 500,
        **extra,
    )
    if code == "ModelError":
        # Present even when SageMaker left them out, so callers can rely on the keys.
        result["error"].setdefault("modelStatusCode", None)
        result["error"].setdefault("modelMessage", None)
    return result


def error_response(exc: BaseException, stage: str, request_id: Optional[str] = None) -> Dict[str, Any]:
    """The response for ``exc``, raised while the handler was at ``stage``."""
    if isinstance(exc, AssumeRoleError):
        # The role may be (re)assumed inside InvokeEndpoint's signing step;
        # report it as the AssumeRole failure it is.
        stage, exc = "assume_role", exc.cause

    if isinstance(exc, InvalidRequest):
        return _error(400, "InvalidRequest", str(exc), "validation", False, field=exc.field)
    if isinstance(exc, ConfigurationError):
        return _error(500, "ConfigurationError", str(exc), "configuration", False, variable=exc.variable)
    if isinstance(exc, ClientError):
        return _client_error(exc, stage)
    # An event stream is read straight from urllib3 (botocore/eventstream.py), so a
    # timeout or a dropped connection between parts surfaces as urllib3's error.
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError, Urllib3ReadTimeoutError)):
        # botocore already retried; the caller may try again later.
        return _error(504, "Timeout", str(exc), stage, True)
    if isinstance(exc, (BotoConnectionError, HTTPClientError, Urllib3ProtocolError)):
        # EndpointConnectionError, ConnectionClosedError, SSLError, ...
        return _error(502, "ConnectionError", str(exc), stage, True)

    # A bug or something unforeseen: keep details in the log, not the response.
    _log.error("unexpected error at stage %s", stage, exc_info=exc)
    message = "internal error in the invoker function; see its logs"
    if request_id:
        message += f" for request {request_id}"
    return _error(500, "InternalError", message, stage, False)
