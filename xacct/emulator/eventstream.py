"""AWS event-stream messages, as botocore's `EventStream` parser reads them (botocore/eventstream.py).

A message is a prelude (total length, headers length, CRC32 of the two), headers (here all
of string type: name length, name, type 7, 2-byte value length, value), the payload and a
CRC32 of everything before it. SageMaker's InvokeEndpointWithResponseStream sends
`PayloadPart` events and, when the stream breaks, an exception event naming the error.
"""

from __future__ import annotations

import binascii
import json
import struct

_STRING_HEADER = 7  # event-stream header value type: string (2-byte length, UTF-8)


def _frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message: prelude, prelude CRC, headers, payload, message CRC."""
    encoded = b""
    for name, value in headers.items():
        name_bytes, value_bytes = name.encode(), value.encode()
        encoded += struct.pack("!B", len(name_bytes)) + name_bytes
        encoded += struct.pack("!BH", _STRING_HEADER, len(value_bytes)) + value_bytes
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded))
    message = prelude + struct.pack("!I", binascii.crc32(prelude)) + encoded + payload
    return message + struct.pack("!I", binascii.crc32(message))


def payload_part(data: bytes) -> bytes:
    return _frame({":message-type": "event", ":event-type": "PayloadPart",
                   ":content-type": "application/octet-stream"}, data)


def exception_event(code: str, message: str, error_code: str | None = None) -> bytes:
    body = {"Message": message}
    if error_code is not None:
        body["ErrorCode"] = error_code
    return _frame({":message-type": "exception", ":exception-type": code,
                   ":content-type": "application/json"}, json.dumps(body).encode())
