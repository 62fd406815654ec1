"""The event contract, checked completely before any AWS call is made.

A bad event must cost nothing: no AssumeRole, no InvokeEndpoint, no retry
quota. So everything InvokeEndpoint would reject (and everything it would
accept but we do not allow) is caught here, with a message that names the
field and the rule.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from .config import ENDPOINT_NAME, Config

# InvokeEndpoint's payload limit.
MAX_BODY_BYTES = 6 * 1024 * 1024  # 6,291,456
DEFAULT_CONTENT_TYPE = "application/json"
# Deepest JSON nesting accepted in "body" (serde_json's default limit): far
# beyond any model input, far below what breaks Python's JSON encoder.
MAX_BODY_DEPTH = 128

FIELDS = (
    "endpoint",
    "body",
    "body_base64",
    "content_type",
    "accept",
    "custom_attributes",
    "inference_id",
    "target_variant",
    "target_model",
    "target_container_hostname",
    "inference_component_name",
    "session_id",
    "enable_explanations",
    "prefix_aware_id",
    "stream",
)

# The fields InvokeEndpointWithResponseStream has no parameter for (botocore's
# service model for sagemaker-runtime): refused with "stream": true.
NOT_STREAMED = ("target_model", "enable_explanations")

# The optional string fields travel as HTTP headers, so they are limited to
# printable ASCII (no CR/LF); lengths are InvokeEndpoint's own limits.
_HEADER_TEXT = re.compile(r"[\x20-\x7e]*")
# InferenceId: printable, not starting with a space.
_INFERENCE_ID = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,63}")
# The rules below are InvokeEndpoint's (botocore's service model: pattern, min, max).
# TargetModel: 1-1024 printable ASCII, not starting with a space.
_TARGET_MODEL = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,1023}")
# InferenceComponentName: 1-63 letters, digits, hyphens; no hyphen first or last.
_INFERENCE_COMPONENT = re.compile(r"[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?")
# SessionId: NEW_SESSION (synchronous calls only) or an id of letters, digits and single
# or repeated hyphens between them, at most 256 characters.
NEW_SESSION = "NEW_SESSION"
_SESSION_ID = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")


# Event field -> InvokeEndpoint member, for the members a runtime's botocore may not know yet.
RECENT_MEMBERS = {"prefix_aware_id": "PrefixAwareId"}


class InvalidRequest(ValueError):
    """The event breaks the contract; ``field`` names the offending field (or "event")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class InvokeRequest:
    """A validated request, ready for InvokeEndpoint."""

    endpoint: str  # canonical name, as written in ALLOWED_ENDPOINTS
    body: bytes
    content_type: str
    accept: Optional[str] = None
    custom_attributes: Optional[str] = None
    inference_id: Optional[str] = None
    target_variant: Optional[str] = None
    target_model: Optional[str] = None
    target_container_hostname: Optional[str] = None
    inference_component_name: Optional[str] = None
    session_id: Optional[str] = None
    enable_explanations: Optional[str] = None
    prefix_aware_id: Optional[str] = None
    # True: InvokeEndpointWithResponseStream, the answer assembled from its parts.
    stream: bool = False
    # True when the caller sent body_base64: the answer then comes back as
    # bodyBase64 too, so binary in means binary out, whatever the bytes are.
    binary: bool = False

    def invoke_kwargs(self) -> Dict[str, Any]:
        kwargs = {"EndpointName": self.endpoint, "Body": self.body, "ContentType": self.content_type}
        optional = {
            "Accept": self.accept,
            "CustomAttributes": self.custom_attributes,
            "InferenceId": self.inference_id,
            "TargetVariant": self.target_variant,
            "TargetModel": self.target_model,
            "TargetContainerHostname": self.target_container_hostname,
            "InferenceComponentName": self.inference_component_name,
            "SessionId": self.session_id,
            "EnableExplanations": self.enable_explanations,
            "PrefixAwareId": self.prefix_aware_id,
        }
        kwargs.update({key: value for key, value in optional.items() if value is not None})
        return kwargs


def _json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _string(event: Dict[str, Any], field: str) -> Optional[str]:
    """The field's value if present; it must be a string (null is not accepted: omit the field)."""
    if field not in event:
        return None
    value = event[field]
    if not isinstance(value, str):
        raise InvalidRequest(field, f"field '{field}' must be a string, got {_json_type(value)}")
    return value


def _header(event, field: str, max_len: int) -> Optional[str]:
    value = _string(event, field)
    if value is None:
        return None
    if not 1 <= len(value) <= max_len:
        raise InvalidRequest(field, f"field '{field}' must be 1 to {max_len} characters, got {len(value)}")
    if not _HEADER_TEXT.fullmatch(value):
        raise InvalidRequest(field, f"field '{field}' must contain only printable ASCII characters")
    return value


def _endpoint(event, config: Config) -> str:
    allowed = ", ".join(config.allowed_endpoints)
    name = _string(event, "endpoint")
    if name is None:
        if len(config.allowed_endpoints) == 1:
            return config.allowed_endpoints[0]
        raise InvalidRequest(
            "endpoint", f"field 'endpoint' is required because several endpoints are allowed: {allowed}"
        )
    canonical = config.canonical_endpoint(name)
    if canonical is None:
        # Echo at most 80 characters of the caller's text back.
        raise InvalidRequest(
            "endpoint", f"field 'endpoint' {name[:80]!r} is not an allowed endpoint; allowed: {allowed}"
        )
    return canonical


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether JSON ``value`` nests arrays/objects more than ``limit`` levels deep (iteratively: no recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def _within_depth(text: str, value: Any) -> str:
    """``text`` (the encoded ``value``) if ``value`` nests at most MAX_BODY_DEPTH levels."""
    # Counting brackets costs next to nothing; only a body with that many of
    # them can be nested that deep, and only then is it walked.
    if text.count("[") + text.count("{") > MAX_BODY_DEPTH and _depth_exceeds(value, MAX_BODY_DEPTH):
        raise _too_deep()
    return text


def _too_deep() -> InvalidRequest:
    return InvalidRequest("body", f"field 'body' nests arrays/objects more than {MAX_BODY_DEPTH} levels deep")


def _body(event) -> Tuple[bytes, bool]:
    """(bytes, binary) from exactly one of body / body_base64."""
    has_body, has_b64 = "body" in event, "body_base64" in event
    if has_body == has_b64:
        got = "both" if has_body else "neither"
        raise InvalidRequest("body", f"exactly one of 'body' or 'body_base64' is required, got {got}")

    if has_b64:
        text = _string(event, "body_base64")
        try:
            # validate=True: reject characters outside the standard alphabet
            # (including URL-safe '-' '_' and whitespace) instead of skipping them.
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidRequest(
                "body_base64", "field 'body_base64' must be standard base64 (A-Z a-z 0-9 + /, '=' padding)"
            ) from None
        return data, True

    value = event["body"]
    try:
        if isinstance(value, str):
            return value.encode("utf-8"), False
        if isinstance(value, (dict, list, bool, int, float)):
            # Compact, and strict JSON: NaN/Infinity are not JSON.
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            return _within_depth(text, value).encode("utf-8"), False
    except UnicodeEncodeError:
        raise InvalidRequest("body", "field 'body' must be valid Unicode text (it is sent as UTF-8)") from None
    except InvalidRequest:
        raise  # already says what is wrong (InvalidRequest is a ValueError)
    except (TypeError, ValueError):
        raise InvalidRequest("body", "field 'body' must be JSON-serialisable (NaN and Infinity are not JSON)") from None
    except RecursionError:
        # Python's JSON encoder recurses once per level (its limit depends on
        # the interpreter and the stack); MAX_BODY_DEPTH is the contract.
        raise _too_deep() from None
    raise InvalidRequest(
        "body",
        f"field 'body' must be a string or a JSON object, array, number or boolean, got {_json_type(value)}",
    )


def parse_event(event: Any, config: Config) -> InvokeRequest:
    """Validate ``event`` against the contract and ``config``; raise InvalidRequest."""
    if not isinstance(event, dict):
        raise InvalidRequest("event", f"the event must be a JSON object, got {_json_type(event)}")

    unknown = sorted(str(key) for key in event if key not in FIELDS)
    if unknown:
        raise InvalidRequest(
            unknown[0],
            "unknown field(s): " + ", ".join(repr(k[:80]) for k in unknown) + "; allowed fields: " + ", ".join(FIELDS),
        )

    endpoint = _endpoint(event, config)
    body, binary = _body(event)
    body_field = "body_base64" if binary else "body"
    if not body:
        raise InvalidRequest(body_field, f"field '{body_field}' is empty; InvokeEndpoint needs a non-empty body")
    if len(body) > MAX_BODY_BYTES:
        raise InvalidRequest(
            body_field,
            f"field '{body_field}' encodes to {len(body)} bytes; InvokeEndpoint accepts at most {MAX_BODY_BYTES}",
        )

    content_type = _header(event, "content_type", 1024)
    inference_id = _string(event, "inference_id")
    if inference_id is not None and not _INFERENCE_ID.fullmatch(inference_id):
        raise InvalidRequest(
            "inference_id",
            "field 'inference_id' must be 1 to 64 printable ASCII characters, not starting with a space",
        )
    target_variant = _string(event, "target_variant")
    if target_variant is not None and not ENDPOINT_NAME.fullmatch(target_variant):
        raise InvalidRequest(
            "target_variant",
            "field 'target_variant' must be a production variant name "
            "(1-63 letters, digits and hyphens, starting and ending with a letter or digit)",
        )

    stream = event.get("stream", False)
    if not isinstance(stream, bool):
        raise InvalidRequest("stream", f"field 'stream' must be a boolean, got {_json_type(stream)}")
    routing = _routing(event, stream)

    return InvokeRequest(
        endpoint=endpoint,
        body=body,
        content_type=content_type or DEFAULT_CONTENT_TYPE,
        accept=_header(event, "accept", 1024),
        custom_attributes=_header(event, "custom_attributes", 1024),
        inference_id=inference_id,
        target_variant=target_variant,
        stream=stream,
        binary=binary,
        **routing,
    )


_NAME_RULE = "(1-63 letters, digits and hyphens, starting and ending with a letter or digit)"
# Field -> (pattern, what the field must be).
_ROUTING_RULES = {
    "target_model": (_TARGET_MODEL, "1 to 1024 printable ASCII characters, not starting with a space"),
    "target_container_hostname": (ENDPOINT_NAME, "a container hostname " + _NAME_RULE),
    "inference_component_name": (_INFERENCE_COMPONENT, "an inference component name " + _NAME_RULE),
    "prefix_aware_id": (_INFERENCE_ID, "1 to 64 printable ASCII characters, not starting with a space"),
}


def _routing(event, stream: bool) -> Dict[str, Optional[str]]:
    """The fields that pick what serves the request (model, container, component, session)."""
    for field in NOT_STREAMED:
        if stream and field in event:
            raise InvalidRequest(
                field, f"field '{field}' is not accepted with 'stream': true "
                "(InvokeEndpointWithResponseStream has no such parameter)"
            )
    values = {}
    for field, (pattern, rule) in _ROUTING_RULES.items():
        values[field] = _string(event, field)
        if values[field] is not None and not pattern.fullmatch(values[field]):
            raise InvalidRequest(field, f"field '{field}' must be {rule}")
    session_id = _string(event, "session_id")
    if session_id == NEW_SESSION and stream:
        raise InvalidRequest(
            "session_id", "field 'session_id' cannot be NEW_SESSION with 'stream': true "
            "(open the session with a synchronous call first)"
        )
    if session_id not in (None, NEW_SESSION) and not (len(session_id) <= 256 and _SESSION_ID.fullmatch(session_id)):
        raise InvalidRequest(
            "session_id", "field 'session_id' must be NEW_SESSION or a session id (1-256 letters, digits and hyphens, "
            "starting and ending with a letter or digit)"
        )
    values.update(session_id=session_id, enable_explanations=_header(event, "enable_explanations", 64))
    return values
