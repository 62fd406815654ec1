"""The echo model's container contract, checked against the server running as a process.

Rules from "Use Your Own Inference Code with Hosting Services" (Amazon SageMaker Developer
Guide: "How Containers Serve Requests", "How Your Container Should Respond to Inference
Requests", "... to Health Check (Ping) Requests") and InvokeEndpoint (Amazon SageMaker API
Reference: CustomAttributes are forwarded verbatim; the model must set them on the way back).
"""

from __future__ import annotations

import datetime
import http.client
import re

import botocore.session
import pytest

from model.echo.echo import DEFAULT_CONTENT_TYPE, EchoRequestError, answer, echo, parse_custom_attributes
from tests.echo_server import echo_server, invoke

pytestmark = pytest.mark.unit

ALL_BYTES = bytes(range(256)) * 3
# What the API lets NewSessionId be (botocore's sagemaker-runtime model, NewSessionResponseHeader).
NEW_SESSION_ANSWER = botocore.session.get_session().get_service_model("sagemaker-runtime").operation_model(
    "InvokeEndpoint").output_shape.members["NewSessionId"].metadata["pattern"]


@pytest.fixture(scope="module")
def server():
    with echo_server() as port:
        yield port


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


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
    raw = invoke(server, ALL_BYTES, {"Content-Type": "application/octet-stream",
                                     "X-Amzn-SageMaker-Custom-Attributes": "stream=true;chunk-bytes=100"})
    assert raw.status == 200 and raw.chunked and raw.header("Content-Length") is None
    assert [len(c) for c in raw.chunks] == [100] * 7 + [68]
    assert b"".join(raw.chunks) == ALL_BYTES


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


def test_new_session_is_created_by_the_model(server):
    """InvokeEndpoint's SessionId (API Reference): the model creates the session ID and its expiry."""
    raw = invoke(server, b"hi", {"X-Amzn-SageMaker-Session-Id": "NEW_SESSION"})
    assert raw.status == 200 and raw.chunks == [b"hi"]
    assert re.fullmatch(NEW_SESSION_ANSWER, raw.header("X-Amzn-SageMaker-New-Session-Id"))


def test_close_session_is_answered_with_the_closed_id(server):
    raw = invoke(server, b"bye", {"X-Amzn-SageMaker-Session-Id": "s-1", "X-Amzn-SageMaker-Custom-Attributes": "close-session"})
    assert (raw.status, raw.header("X-Amzn-SageMaker-Closed-Session-Id")) == (200, "s-1")
    assert raw.header("X-Amzn-SageMaker-Custom-Attributes") == "close-session"


def test_a_request_in_a_session_opens_and_closes_nothing(server):
    raw = invoke(server, b"again", {"X-Amzn-SageMaker-Session-Id": "s-1"})
    assert raw.status == 200
    assert {k.lower() for k in raw.headers} & {"x-amzn-sagemaker-new-session-id", "x-amzn-sagemaker-closed-session-id"} == set()


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


def test_answer_is_the_echo_plus_the_session_the_request_opens():
    clock = lambda: datetime.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=datetime.timezone.utc)  # noqa: E731
    reply = answer(b"abc", {"Content-Type": "text/plain", "X-Amzn-SageMaker-Session-Id": "NEW_SESSION"},
                   now=clock, new_id=lambda: "abc123")
    assert (reply.status, reply.body, reply.streamed) == (200, b"abc", False)
    assert reply.headers == {"Content-Type": "text/plain",
                             "X-Amzn-SageMaker-New-Session-Id": "abc123; Expires=2026-01-02T03:24:05Z"}  # 20 minutes


def test_answer_refuses_with_400_and_the_reason():
    reply = answer(b"abc", {"X-Amzn-SageMaker-Custom-Attributes": "stream=true;chunk-bytes=x"})
    assert (reply.status, reply.headers, reply.chunks, reply.streamed) == (
        400, {"Content-Type": "text/plain"},
        (b"custom attribute chunk-bytes must be a whole number from 1 to 1048576, not 'x'\n",), False)


@pytest.mark.parametrize("attributes", ["close-session;stream=true", "trace=1", None])
def test_only_exactly_close_session_closes(attributes):
    headers = {"X-Amzn-SageMaker-Session-Id": "s-1"}
    if attributes is not None:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = attributes
    assert "X-Amzn-SageMaker-Closed-Session-Id" not in answer(b"x", headers).headers


@pytest.mark.parametrize("value", ["x", "-1", "1048577", ""])
def test_echo_refuses_bad_chunk_sizes(value):
    with pytest.raises(EchoRequestError, match=rf"^custom attribute chunk-bytes must be a whole number from 1 to 1048576, not '{value}'$"):
        echo(b"abc", None, f"stream=true;chunk-bytes={value}")


def test_custom_attributes_parse_as_opaque_pairs():
    assert parse_custom_attributes(" a=1 ; b ;c=x=y;") == {"a": "1", "b": "", "c": "x=y"}
    assert parse_custom_attributes(None) == {}
