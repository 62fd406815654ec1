"""The InvokeEndpoint request headers, checked as SageMaker checks them, and echoed back.

Every header member of InvokeEndpoint and InvokeEndpointWithResponseStream is read from
botocore's own service model (its location name, length limits and pattern), so the
emulator checks exactly what the API declares, for the operation actually called: the
streaming call has no TargetModel or EnableExplanations, and its SessionId pattern does not
admit NEW_SESSION. A bad value gets SageMaker runtime's `ValidationError` (400) with the
constraint text of AWS's request validation ("1 validation error detected: Value '...'
at '...' failed to satisfy constraint: ..."). botocore itself checks only the lengths, so
a client sees the pattern errors from the server.

Sessions (SageMaker Developer Guide, "Stateful sessions with Amazon SageMaker models"):
`SessionId: NEW_SESSION` opens one, answered in `X-Amzn-SageMaker-New-Session-Id` as
"<id>; Expires=<UTC time>"; a session id the endpoint does not know (never opened, closed
or expired) is refused with a ValidationError. SageMaker leaves closing to the model; the
echo model closes the request's session when its custom attributes are exactly
`close-session`, answering with `X-Amzn-SageMaker-Closed-Session-Id`.
"""

from __future__ import annotations

import datetime
import re
import threading
import uuid
from functools import lru_cache

import botocore.session

NEW_SESSION = "NEW_SESSION"
CLOSE_SESSION_ATTRIBUTE = "close-session"
SESSION_TTL = datetime.timedelta(minutes=20)

# Java regex classes used by the model, in Python's dialect (Java's \\z is Python's \\Z).
_JAVA_TO_PYTHON = (("[\\p{Print}]", "[\\x20-\\x7e]"), ("\\p{Print}", "[\\x20-\\x7e]"),
                   ("\\p{ASCII}", "[\\x00-\\x7f]"), ("\\z", "\\Z"))
# Headers echoed in the answer's custom attributes, under these keys.
ECHOED = {
    "InferenceComponentName": "inference_component",
    "TargetModel": "target_model",
    "TargetVariant": "target_variant",
    "TargetContainerHostname": "target_container",
    "SessionId": "session",
    "EnableExplanations": "explanations",
    "InferenceId": "inference_id",
}

_sessions: dict[tuple[str, str], dict[str, datetime.datetime]] = {}
_sessions_lock = threading.Lock()


def _python_pattern(java: str) -> re.Pattern:
    for old, new in _JAVA_TO_PYTHON:
        java = java.replace(old, new)
    return re.compile(java)


@lru_cache(maxsize=None)
def header_members(operation: str) -> tuple[tuple[str, str, dict, re.Pattern | None], ...]:
    """(member, header name, limits, pattern) for each header member of `operation`."""
    model = botocore.session.get_session().get_service_model("sagemaker-runtime").operation_model(operation)
    members = []
    for name, shape in model.input_shape.members.items():
        if shape.serialization.get("location") != "header":
            continue
        pattern = shape.metadata.get("pattern")
        members.append((name, shape.serialization["name"], dict(shape.metadata),
                        _python_pattern(pattern) if pattern else None))
    return tuple(members)


def read(operation: str, headers) -> dict[str, str]:
    """The request's header members that were sent, by member name."""
    return {member: headers[header] for member, header, _, _ in header_members(operation) if headers.get(header) is not None}


def _lower_camel(member: str) -> str:
    return member[0].lower() + member[1:]


def validation_errors(operation: str, values: dict[str, str]) -> list[str]:
    """AWS's constraint messages for every sent header member that breaks its model rule."""
    errors = []
    for member, _, limits, pattern in header_members(operation):
        value = values.get(member)
        if value is None:
            continue
        where = f"Value '{value}' at '{_lower_camel(member)}' failed to satisfy constraint: "
        if "max" in limits and len(value) > limits["max"]:
            errors.append(where + f"Member must have length less than or equal to {limits['max']}")
        elif "min" in limits and len(value) < limits["min"]:
            errors.append(where + f"Member must have length greater than or equal to {limits['min']}")
        elif pattern is not None and not pattern.fullmatch(value):  # Java's matches(): the whole value
            errors.append(where + f"Member must satisfy regular expression pattern: {limits['pattern']}")
    return errors


def validation_message(errors: list[str]) -> str:
    count = len(errors)
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(errors)


def open_or_check_session(account: str, endpoint: str, session_id: str | None) -> tuple[str | None, str | None]:
    """(error message, new-session header value): opens a session for NEW_SESSION, checks a known id."""
    if session_id is None:
        return None, None
    key = (account, endpoint.lower())
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    with _sessions_lock:
        sessions = _sessions.setdefault(key, {})
        if session_id == NEW_SESSION:
            new_id = uuid.uuid4().hex
            sessions[new_id] = now + SESSION_TTL
            expires = sessions[new_id].strftime("%Y-%m-%dT%H:%M:%SZ")
            return None, f"{new_id}; Expires={expires}"
        expiry = sessions.get(session_id)
        if expiry is None or expiry <= now:
            sessions.pop(session_id, None)
            return f"Session {session_id} is not found or has been closed for endpoint {endpoint}.", None
    return None, None


def close_session(account: str, endpoint: str, session_id: str) -> str:
    """End a session the echo model was asked to close; returns the closed id for the answer's header."""
    with _sessions_lock:
        _sessions.get((account, endpoint.lower()), {}).pop(session_id, None)
    return session_id


def echo_attributes(values: dict[str, str]) -> str:
    """`;key=value` for each routing header the request carried (appended to the echo's attributes)."""
    return "".join(f";{key}={values[member]}" for member, key in ECHOED.items() if member in values)
