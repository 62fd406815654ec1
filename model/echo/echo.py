"""What the echo model answers, as pure functions (standard library only).

`answer` is the whole of the container's reply to one `POST /invocations`: status, headers
and body chunks, errors included. The container's HTTP server (serve.py) writes it to the
socket; the emulator's echo endpoint (xacct/emulator/sagemaker_echo.py) calls the same
function with the headers SageMaker forwards and plays only SageMaker's part around it. So
the model deployed to real accounts and the offline one cannot answer differently.

The answer is the request body byte for byte, with the request's content type, and the
request's custom attributes sent back unchanged. SageMaker forwards the caller's
`CustomAttributes` to the container in the `X-Amzn-SageMaker-Custom-Attributes` header and
returns the container's header of that name to the caller ("If the customer wants the
custom attribute returned, the model must set the custom attribute to be included on the
way back", InvokeEndpoint, Amazon SageMaker API Reference).

Streaming: the container is not told which runtime API was called, so the request asks
for a streamed answer through its custom attributes, which SageMaker forwards verbatim:
`stream=true` (and optionally `chunk-bytes=N`). The answer is then split into chunks that
the server sends with HTTP/1.1 chunked transfer encoding, one write per chunk, which is how
SageMaker's response streaming reaches the container ("implemented through HTTP 1.1
chunked encoding", AWS Machine Learning Blog, "Introducing streaming support in Amazon
SageMaker hosting").

Stateful sessions (InvokeEndpoint's SessionId, Amazon SageMaker API Reference: "When you
create a session with a stateful model, the model must create the session ID and set the
expiration time. The model must also provide that information in the response"): a
request whose `X-Amzn-SageMaker-Session-Id` is `NEW_SESSION` is answered with
`X-Amzn-SageMaker-New-Session-Id: <id>; Expires=<UTC time>`; a request in a session whose
custom attributes are exactly `close-session` is answered with
`X-Amzn-SageMaker-Closed-Session-Id: <id>`. The echo keeps no state in a session, so it
keeps no table of them and does not check the id it is sent (the emulator refuses an id
the model did not open; whether SageMaker itself does is not documented).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
SESSION_ID_HEADER = "X-Amzn-SageMaker-Session-Id"
NEW_SESSION_ID_HEADER = "X-Amzn-SageMaker-New-Session-Id"
CLOSED_SESSION_ID_HEADER = "X-Amzn-SageMaker-Closed-Session-Id"
NEW_SESSION = "NEW_SESSION"
CLOSE_SESSION_ATTRIBUTES = "close-session"
SESSION_TTL = datetime.timedelta(minutes=20)
# InvokeEndpoint's ContentType is optional; without one the bytes have no declared type.
DEFAULT_CONTENT_TYPE = "application/octet-stream"
DEFAULT_CHUNK_BYTES = 1024
MAX_CHUNK_BYTES = 1_048_576


class EchoRequestError(ValueError):
    """The request asked for something the echo model cannot do; the message says what."""


@dataclass(frozen=True)
class EchoReply:
    status: int
    headers: dict[str, str]
    chunks: tuple[bytes, ...]
    streamed: bool  # sent with chunked transfer encoding, one write per chunk

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def parse_custom_attributes(value: str | None) -> dict[str, str]:
    """`a=1;b=2` -> {"a": "1", "b": "2"}; an item without `=` maps to "" (opaque to SageMaker)."""
    attributes = {}
    for item in (value or "").split(";"):
        key, _, item_value = item.partition("=")
        if key.strip():
            attributes[key.strip().lower()] = item_value.strip()
    return attributes


def _chunk_size(attributes: dict[str, str]) -> int:
    raw = attributes.get("chunk-bytes", str(DEFAULT_CHUNK_BYTES))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_CHUNK_BYTES:
        raise EchoRequestError(f"custom attribute chunk-bytes must be a whole number from 1 to {MAX_CHUNK_BYTES}, not {raw!r}")
    return int(raw)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _new_session_id() -> str:
    return uuid.uuid4().hex


def session_headers(session_id: str | None, custom_attributes: str | None,
                    now: Callable[[], datetime.datetime] = _now,
                    new_id: Callable[[], str] = _new_session_id) -> dict[str, str]:
    """The session header the model answers with, if the request opens or closes a session."""
    if session_id == NEW_SESSION:
        expires = (now().replace(microsecond=0) + SESSION_TTL).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {NEW_SESSION_ID_HEADER: f"{new_id()}; Expires={expires}"}
    if session_id and custom_attributes == CLOSE_SESSION_ATTRIBUTES:
        return {CLOSED_SESSION_ID_HEADER: session_id}
    return {}


def echo(body: bytes, content_type: str | None = None, custom_attributes: str | None = None) -> EchoReply:
    """The echo of one /invocations request: body, content type and custom attributes.

    Raises EchoRequestError for a request the model refuses (a bad chunk-bytes)."""
    headers = {"Content-Type": content_type or DEFAULT_CONTENT_TYPE}
    if custom_attributes is not None:
        headers[CUSTOM_ATTRIBUTES_HEADER] = custom_attributes
    attributes = parse_custom_attributes(custom_attributes)
    if attributes.get("stream", "false").lower() != "true":
        return EchoReply(200, headers, (bytes(body),), streamed=False)
    size = _chunk_size(attributes)
    chunks = tuple(bytes(body[i:i + size]) for i in range(0, len(body), size))
    return EchoReply(200, headers, chunks, streamed=True)


def answer(body: bytes, headers: Mapping[str, str], now: Callable[[], datetime.datetime] = _now,
           new_id: Callable[[], str] = _new_session_id) -> EchoReply:
    """The container's whole reply to `POST /invocations` with `body` and request `headers`.

    `headers` is looked up by the names SageMaker sends (http.server's headers and the
    emulator's dict both answer them). A refused request is answered 400 with the reason
    as plain text, which SageMaker hands to the caller as a ModelError."""
    custom_attributes = headers.get(CUSTOM_ATTRIBUTES_HEADER)
    try:
        reply = echo(body, headers.get("Content-Type"), custom_attributes)
    except EchoRequestError as error:
        return EchoReply(400, {"Content-Type": "text/plain"}, (f"{error}\n".encode(),), streamed=False)
    extra = session_headers(headers.get(SESSION_ID_HEADER), custom_attributes, now, new_id)
    return EchoReply(reply.status, {**reply.headers, **extra}, reply.chunks, reply.streamed) if extra else reply
