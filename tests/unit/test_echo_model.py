"""The echo model's container contract, checked against the server running as a process.

Rules from "Use Your Own Inference Code with Hosting Services" (Amazon SageMaker Developer
Guide: "How Containers Serve Requests", "How Your Container Should Respond to Inference
Requests", "... to Health Check (Ping) Requests") and InvokeEndpoint (Amazon SageMaker API
Reference: CustomAttributes are forwarded verbatim; the model must set them on the way back).
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys

import pytest

from model.echo.echo import DEFAULT_CONTENT_TYPE, EchoRequestError, echo, parse_custom_attributes
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

ALL_BYTES = bytes(range(256)) * 3


@pytest.fixture(scope="module")
def server():
    """`python -m model.echo serve` on a free loopback port, as SageMaker starts the image."""
    process = subprocess.Popen([sys.executable, "-m", "model.echo", "serve", "--host", "127.0.0.1", "--port", "0"],
                               cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("echo model listening on 127.0.0.1:"), line
        yield int(line.rsplit(":", 1)[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw_chunks(port, body: bytes, headers: dict[str, str]) -> tuple[str, list[bytes]]:
    """POST /invocations over a plain socket and split the chunked answer as it was written."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
                     f"{head}\r\n".encode() + body)
        data = b""
        while part := sock.recv(65536):
            data += part
    header_block, _, rest = data.partition(b"\r\n\r\n")
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        assert rest[size:size + 2] == b"\r\n"
        rest = rest[size + 2:]
    return header_block.decode(), chunks


def test_ping_answers_200(server):
    status, _, _ = request(server, "GET", "/ping")
    assert status == 200


def test_invocations_echo_binary_body_and_content_type(server):
    status, headers, body = request(server, "POST", "/invocations", ALL_BYTES, {"Content-Type": "image/x-raw"})
    assert (status, headers["Content-Type"], body) == (200, "image/x-raw", ALL_BYTES)
    assert headers["Content-Length"] == str(len(ALL_BYTES))


def test_invocations_without_content_type_answer_octet_stream(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    conn.putrequest("POST", "/invocations", skip_accept_encoding=True)
    conn.putheader("Content-Length", "3")
    conn.endheaders(b"abc")
    response = conn.getresponse()
    assert (response.status, response.getheader("Content-Type"), response.read()) == (200, DEFAULT_CONTENT_TYPE, b"abc")
    conn.close()


def test_empty_body_is_echoed_empty(server):
    assert request(server, "POST", "/invocations", b"", {"Content-Type": "text/csv"})[::2] == (200, b"")


def test_custom_attributes_come_back_verbatim(server):
    attributes = "trace-id=abc-123;tenant=Fraud Team"
    _, headers, _ = request(server, "POST", "/invocations", b"{}", {
        "Content-Type": "application/json", "X-Amzn-SageMaker-Custom-Attributes": attributes})
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == attributes


def test_no_custom_attributes_sent_none_returned(server):
    _, headers, _ = request(server, "POST", "/invocations", b"{}", {"Content-Type": "application/json"})
    assert "X-Amzn-SageMaker-Custom-Attributes" not in headers


def test_stream_request_answers_in_chunks(server):
    head, chunks = raw_chunks(server, ALL_BYTES, {"Content-Type": "application/octet-stream",
                                                   "X-Amzn-SageMaker-Custom-Attributes": "stream=true;chunk-bytes=100"})
    assert head.startswith("HTTP/1.1 200")
    assert "Transfer-Encoding: chunked" in head and "Content-Length" not in head
    assert [len(c) for c in chunks] == [100] * 7 + [68]
    assert b"".join(chunks) == ALL_BYTES


def test_stream_request_reads_back_whole_through_a_client(server):
    status, headers, body = request(server, "POST", "/invocations", ALL_BYTES, {
        "Content-Type": "text/plain", "X-Amzn-SageMaker-Custom-Attributes": "stream=true"})
    assert (status, headers["Content-Type"], body) == (200, "text/plain", ALL_BYTES)
    assert headers["X-Amzn-SageMaker-Custom-Attributes"] == "stream=true"


def test_bad_chunk_size_is_refused_naming_the_attribute(server):
    status, _, body = request(server, "POST", "/invocations", b"x", {
        "X-Amzn-SageMaker-Custom-Attributes": "stream=true;chunk-bytes=0"})
    assert status == 400
    assert body == b"custom attribute chunk-bytes must be a whole number from 1 to 1048576, not '0'\n"


def test_body_over_invoke_endpoint_limit_is_refused(server):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    conn.putrequest("POST", "/invocations")
    conn.putheader("Content-Length", str(6_291_457))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413
    assert response.read() == b"body of 6291457 bytes exceeds 6291456\n"
    conn.close()


@pytest.mark.parametrize("method,path,status", [("GET", "/invocations", 405), ("GET", "/health", 404),
                                                ("POST", "/ping", 404)])
def test_other_routes_are_refused(server, method, path, status):
    assert request(server, method, path, b"" if method == "POST" else None)[0] == status


def test_server_survives_many_requests(server):
    for i in range(20):
        assert request(server, "POST", "/invocations", str(i).encode())[2] == str(i).encode()


# --- the pure function the emulator's echo endpoint shares --------------------------------

def test_echo_returns_a_copy_of_the_body_and_its_type():
    reply = echo(bytearray(b"\x00\xff"), "application/x-npy", None)
    assert (reply.status, reply.body, reply.headers, reply.streamed) == (
        200, b"\x00\xff", {"Content-Type": "application/x-npy"}, False)
    assert isinstance(reply.body, bytes)


def test_echo_streams_only_when_asked():
    assert echo(b"abc", None, "stream=false").streamed is False
    assert echo(b"abc", None, "Stream=TRUE;chunk-bytes=2").chunks == (b"ab", b"c")
    assert echo(b"", None, "stream=true").chunks == ()


@pytest.mark.parametrize("value", ["x", "-1", "1048577", ""])
def test_echo_refuses_bad_chunk_sizes(value):
    with pytest.raises(EchoRequestError, match=rf"^custom attribute chunk-bytes must be a whole number from 1 to 1048576, not '{value}'$"):
        echo(b"abc", None, f"stream=true;chunk-bytes={value}")


def test_custom_attributes_parse_as_opaque_pairs():
    assert parse_custom_attributes(" a=1 ; b ;c=x=y;") == {"a": "1", "b": "", "c": "x=y"}
    assert parse_custom_attributes(None) == {}
