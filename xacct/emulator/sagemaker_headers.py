"""The InvokeEndpoint request headers: checked as SageMaker checks them, forwarded as it forwards them.

Every header member of InvokeEndpoint and InvokeEndpointWithResponseStream is read from
botocore's own service model (its location name, length limits and pattern), so the
emulator checks exactly what the API declares, for the operation actually called: the
streaming call has no TargetModel or EnableExplanations, and its SessionId pattern does not
admit NEW_SESSION. A bad value gets SageMaker runtime's `ValidationError` (400) with the
constraint text of AWS's request validation ("1 validation error detected: Value '...'
at '...' failed to satisfy constraint: ..."). botocore itself checks only the lengths, so
a client sees the pattern errors from the server.

What reaches the model: "SageMaker strips all POST headers except those supported by
InvokeEndpoint" ("How Your Container Should Respond to Inference Requests", Amazon
SageMaker Developer Guide), so the container gets the call's header members under
InvokeEndpoint's header names, whichever runtime API was called (the streaming call's
`X-Amzn-SageMaker-Accept` arrives as `Accept`; AWS does not document that renaming, it
follows from the container seeing one contract). What reaches the caller: the model's
headers that the operation's output declares (botocore's output shape), nothing else.

Sessions (SageMaker Developer Guide, "Stateful sessions with Amazon SageMaker models"):
the model creates and closes them (model/echo/echo.py); SageMaker routes by their id. The
emulator learns a session from the model's `X-Amzn-SageMaker-New-Session-Id` answer,
forgets it on `X-Amzn-SageMaker-Closed-Session-Id` or expiry, and refuses an id it does not
know with a ValidationError (the message is the emulator's: AWS's exact text for an unknown
session is not documented).
"""

from __future__ import annotations

import datetime
import re
import threading
from functools import lru_cache

import botocore.session

NEW_SESSION = "NEW_SESSION"
# Java regex classes used by the model, in Python's dialect (Java's \\z is Python's \\Z).
_JAVA_TO_PYTHON = (("[\\p{Print}]", "[\\x20-\\x7e]"), ("\\p{Print}", "[\\x20-\\x7e]"),
                   ("\\p{ASCII}", "[\\x00-\\x7f]"), ("\\z", "\\Z"))
_NEW_SESSION_ANSWER = re.compile(r"(?P<id>[^;]+);\s*Expires=(?P<expires>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")

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


def check_session(account: str, endpoint: str, session_id: str | None) -> str | None:
    """The error message for a session id the endpoint does not know (never opened, closed or expired)."""
    if session_id is None or session_id == NEW_SESSION:
        return None
    now = datetime.datetime.now(datetime.timezone.utc)
    with _sessions_lock:
        sessions = _sessions.get((account, endpoint.lower()), {})
        expiry = sessions.get(session_id)
        if expiry is not None and expiry > now:
            return None
        sessions.pop(session_id, None)
    return f"Session {session_id} is not found or has been closed for endpoint {endpoint}."


def follow_model_sessions(account: str, endpoint: str, model_headers: dict[str, str]) -> None:
    """Route by the sessions the model opened or closed in its answer (its session headers)."""
    opened = _header(model_headers, "X-Amzn-SageMaker-New-Session-Id")
    closed = _header(model_headers, "X-Amzn-SageMaker-Closed-Session-Id")
    with _sessions_lock:
        sessions = _sessions.setdefault((account, endpoint.lower()), {})
        match = _NEW_SESSION_ANSWER.fullmatch(opened or "")
        if match:
            sessions[match["id"].strip()] = datetime.datetime.strptime(
                match["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        if closed:
            sessions.pop(closed.strip(), None)


def _header(headers: dict[str, str], name: str) -> str | None:
    """A header by name, as HTTP compares names: without regard to case."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


@lru_cache(maxsize=None)
def _container_header_names() -> dict[str, str]:
    """member -> the header name InvokeEndpoint gives it (the one contract the container sees)."""
    return {member: header for member, header, _, _ in header_members("InvokeEndpoint")}


def container_headers(values: dict[str, str]) -> dict[str, str]:
    """The headers SageMaker forwards to the model: the call's header members (Content-Type among
    them), as InvokeEndpoint names them."""
    names = _container_header_names()
    return {names[member]: value for member, value in values.items() if member in names}


@lru_cache(maxsize=None)
def _output_headers(operation: str) -> tuple[tuple[str, str], ...]:
    """(member, header name) of each header the operation's answer declares."""
    model = botocore.session.get_session().get_service_model("sagemaker-runtime").operation_model(operation)
    return tuple((name, shape.serialization["name"]) for name, shape in model.output_shape.members.items()
                 if shape.serialization.get("location") == "header")


def returned_headers(operation: str, model_headers: dict[str, str]) -> dict[str, str]:
    """The model's headers that reach the caller: those the operation's output declares.

    The model's Content-Type is the answer's ContentType member, which the streaming call
    carries in `X-Amzn-SageMaker-Content-Type` (its HTTP body is the event stream)."""
    returned = {}
    for member, header in _output_headers(operation):
        value = _header(model_headers, "Content-Type" if member == "ContentType" else header)
        if value is not None:
            returned[header] = value
    return returned
