"""What the echo model answers, as a pure function (standard library only).

The container's HTTP server (serve.py) and the emulator's echo endpoint both call `echo`,
so the model deployed to real accounts and the offline one answer alike.

The answer is the request body byte for byte, with the request's content type, and the
request's custom attributes sent back unchanged. SageMaker forwards the caller's
`CustomAttributes` to the container in the `X-Amzn-SageMaker-Custom-Attributes` header and
returns the container's header of that name to the caller ("If the customer wants the
custom attribute returned, the model must set the custom attribute to be included on the
way back", InvokeEndpoint, Amazon SageMaker API Reference).

Streaming: the container is not told which runtime API was called, so the request asks
for a streamed answer through its custom attributes, which SageMaker forwards verbatim:
`stream=true` (and optionally `chunk-bytes=N`). The answer is then split into chunks that
the server sends with chunked transfer encoding, one write per chunk, which is how a
container answers InvokeEndpointWithResponseStream ("How Containers Serve Requests",
Amazon SageMaker Developer Guide).
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes"
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
    streamed: bool

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


def echo(body: bytes, content_type: str | None = None, custom_attributes: str | None = None) -> EchoReply:
    """The echo model's answer to one /invocations request."""
    headers = {"Content-Type": content_type or DEFAULT_CONTENT_TYPE}
    if custom_attributes is not None:
        headers[CUSTOM_ATTRIBUTES_HEADER] = custom_attributes
    attributes = parse_custom_attributes(custom_attributes)
    if attributes.get("stream", "false").lower() != "true":
        return EchoReply(200, headers, (bytes(body),), streamed=False)
    size = _chunk_size(attributes)
    chunks = tuple(bytes(body[i:i + size]) for i in range(0, len(body), size))
    return EchoReply(200, headers, chunks, streamed=True)
