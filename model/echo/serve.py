"""The echo model's HTTP server, following SageMaker's container contract for hosting.

Only the socket is here: what the model answers (status, headers, chunks) is
`echo.answer`, which the emulator's echo endpoint calls too.

"Use Your Own Inference Code with Hosting Services" (Amazon SageMaker Developer Guide):
SageMaker runs the image as `docker run <image> serve`; the container answers `GET /ping`
with 200 when healthy and `POST /invocations` with the inference, on port 8080
(or the port in SAGEMAKER_BIND_TO_PORT, which SageMaker sets for inference pipelines).
Standard library only, so the image needs no packages and no network at run time.
"""

from __future__ import annotations

import argparse
import os
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .echo import answer

DEFAULT_PORT = 8080
# InvokeEndpoint's documented payload limit; a larger body cannot come from SageMaker.
MAX_BODY_BYTES = 6_291_456


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked transfer encoding for streamed answers
    server_version = "echo-model"

    def log_message(self, format, *args):  # one line per request on stderr (CloudWatch Logs in AWS)
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

    def _send_plain(self, status: HTTPStatus, text: str = "") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/ping":
            self._send_plain(HTTPStatus.OK)
        elif self.path == "/invocations":
            self._send_plain(HTTPStatus.METHOD_NOT_ALLOWED, "/invocations takes POST\n")
        else:
            self._send_plain(HTTPStatus.NOT_FOUND, f"no such path: {self.path}\n")

    def do_POST(self) -> None:
        if self.path != "/invocations":
            self._send_plain(HTTPStatus.NOT_FOUND, f"no such path: {self.path}\n")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for a next request
            self._send_plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body of {length} bytes exceeds {MAX_BODY_BYTES}\n")
            return
        reply = answer(self.rfile.read(length), self.headers)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if not reply.streamed:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in reply.chunks:
            self.wfile.write(f"{len(chunk):X}\r\n".encode() + chunk + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="echo-model", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="serve", choices=["serve"],
                        help="SageMaker starts the image with `serve`")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SAGEMAKER_BIND_TO_PORT", DEFAULT_PORT)),
                        help="0 picks a free port (for tests); the chosen one is printed")
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), EchoHandler)
    print(f"echo model listening on {server.server_address[0]}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
