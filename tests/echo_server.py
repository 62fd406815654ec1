"""The echo model's HTTP server as a process, and requests to it that keep its chunk boundaries.

Shared by the container-contract tests (tests/unit/test_echo_model.py) and the test that
the emulator's echo endpoint answers as this server does (tests/e2e/test_streaming.py).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from xacct.paths import PROJECT_ROOT


@contextlib.contextmanager
def echo_server() -> Iterator[int]:
    """`python -m model.echo serve` on a free loopback port, as SageMaker starts the image; yields the port."""
    process = subprocess.Popen([sys.executable, "-m", "model.echo", "serve", "--host", "127.0.0.1", "--port", "0"],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("echo model listening on 127.0.0.1:"), line
        yield int(line.rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]  # names as the server wrote them
    chunked: bool
    chunks: list[bytes]  # as written: one per chunk when chunked, else the whole body

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


def invoke(port: int, body: bytes, headers: dict[str, str]) -> RawAnswer:
    """POST /invocations over a plain socket and split the answer as it was written."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
                     f"{head}\r\n".encode() + body)
        data = b""
        while part := sock.recv(65536):
            data += part
    header_block, _, rest = data.partition(b"\r\n\r\n")
    status_line, *lines = header_block.decode().split("\r\n")
    answer_headers = dict(line.split(": ", 1) for line in lines)
    if "chunked" not in {v.lower() for k, v in answer_headers.items() if k.lower() == "transfer-encoding"}:
        return RawAnswer(int(status_line.split()[1]), answer_headers, False, [rest])
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        assert rest[size:size + 2] == b"\r\n"
        rest = rest[size + 2:]
    return RawAnswer(int(status_line.split()[1]), answer_headers, True, chunks)
