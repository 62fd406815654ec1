"""The invoker's `stream: true` mode: InvokeEndpointWithResponseStream, the parts assembled.

Python Lambda runtimes cannot stream a response to their caller, so the function reads
every `PayloadPart` (SageMaker Runtime API reference, InvokeEndpointWithResponseStream)
and returns the body with the number of parts and the time to the first one. The fake
answers with real event-stream frames (xacct/emulator/eventstream.py), which botocore's
own `EventStream` parser reads; a stream broken by `ModelStreamError` or
`InternalStreamFailure` (the operation's documented error events, HTTP 424 and 500 in the
API reference) is a structured error with `stage: "stream"`.
"""

from __future__ import annotations

import json
import logging

import pytest

from sagemaker_invoker import handler, parent_access
from tests.unit.fakes import ENDPOINT, HappyAws, header, lambda_env, no_network, response  # noqa: F401
from xacct.emulator.eventstream import exception_event, payload_part

pytestmark = pytest.mark.unit

STREAM_OP = "before-send.sagemaker-runtime.InvokeEndpointWithResponseStream"


def _stream_answer(frames: bytes, **headers):
    def answer(request, **kwargs):
        return response(request, 200, {"Content-Type": "application/vnd.amazon.eventstream",
                                       "X-Amzn-SageMaker-Content-Type": "text/plain",
                                       "x-Amzn-Invoked-Production-Variant": "AllTraffic", **headers}, frames)
    return answer


def _access_with(answer):
    access = parent_access.for_config(handler.config.get_config())
    fake = HappyAws(access)
    sent = []
    access.sagemaker.meta.events.register(STREAM_OP, lambda request, **kw: sent.append(request))
    access.sagemaker.meta.events.register(STREAM_OP, answer)
    return fake, sent


def test_stream_assembles_the_parts_and_reports_how_they_came():
    frames = payload_part(b"Hel") + payload_part(b"lo, ") + payload_part(b"world")
    fake, sent = _access_with(_stream_answer(frames, **{"X-Amzn-SageMaker-Custom-Attributes": "a=b"}))
    result = handler.lambda_handler({"body": {"inputs": "hi"}, "stream": True, "session_id": "sess-1",
                                     "inference_component_name": "ic-1", "accept": "text/plain"}, None)
    assert result["statusCode"] == 200, result
    assert result["body"] == "Hello, world"
    assert result["parts"] == 3
    assert isinstance(result["firstPartMs"], float) and result["firstPartMs"] >= 0
    assert result["contentType"] == "text/plain" and result["customAttributes"] == "a=b"
    assert fake.invoked_bodies == []  # the synchronous call was not made
    request = sent[-1]
    assert request.url.endswith(f"/endpoints/{ENDPOINT}/invocations-response-stream")
    assert header(request, "X-Amzn-SageMaker-Session-Id") == "sess-1"
    assert header(request, "X-Amzn-SageMaker-Inference-Component") == "ic-1"
    assert header(request, "X-Amzn-SageMaker-Accept") == "text/plain"  # the streaming call's own header


def test_the_invocation_log_line_says_the_answer_was_streamed(caplog):
    _access_with(_stream_answer(payload_part(b"Hel") + payload_part(b"lo")))
    with caplog.at_level(logging.INFO, logger="sagemaker_invoker"):
        assert handler.lambda_handler({"body": "hi", "stream": True}, None)["statusCode"] == 200
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"msg":"invocation"')]
    assert (line["stream"], line["bytesOut"], line["stage"]) == (True, 5, "done")


def test_binary_in_binary_out_when_streaming():
    _access_with(_stream_answer(payload_part(b"\xff\x00") + payload_part(b"\x01")))
    result = handler.lambda_handler({"body_base64": "/wAB", "stream": True}, None)
    assert result["bodyBase64"] == "/wAB" and result["parts"] == 2


@pytest.mark.parametrize("code,status,retryable", [("ModelStreamError", 424, False), ("InternalStreamFailure", 500, True)])
def test_a_broken_stream_is_a_stream_stage_error(code, status, retryable):
    frames = payload_part(b"partial") + exception_event(code, f"{code} from the model", "StreamBroken")
    _access_with(_stream_answer(frames))
    result = handler.lambda_handler({"body": "hi", "stream": True}, None)
    assert result == {"statusCode": status, "error": {
        "code": code, "message": f"{code} from the model", "stage": "stream", "retryable": retryable}}


def test_an_error_before_the_stream_starts_is_an_invoke_endpoint_error():
    def denied(request, **kwargs):
        body = json.dumps({"__type": "AccessDeniedException", "message": "not authorized"}).encode()
        return response(request, 403, {"Content-Type": "application/json", "x-amzn-ErrorType": "AccessDeniedException",
                                       "x-amzn-RequestId": "req-1"}, body)
    _access_with(denied)
    result = handler.lambda_handler({"body": "hi", "stream": True}, None)
    assert result["statusCode"] == 403
    assert result["error"]["code"] == "AccessDeniedException"
    assert result["error"]["stage"] == "invoke_endpoint"
    assert result["error"]["message"] == "not authorized"


@pytest.mark.parametrize("error,code,status", [
    ("read_timeout", "Timeout", 504), ("connection_broken", "ConnectionError", 502)])
def test_a_stream_cut_off_between_parts_is_a_retryable_stream_error(error, code, status):
    """botocore reads event streams straight from urllib3, whose errors then reach the handler."""
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    raised = {"read_timeout": ReadTimeoutError(None, "/", "Read timed out."),
              "connection_broken": ProtocolError("Connection broken: IncompleteRead")}[error]

    class CutOff:
        def stream(self, **kwargs):
            yield payload_part(b"first")
            raise raised

        def close(self):
            pass

    def answer(request, **kwargs):
        from botocore.awsrequest import AWSResponse
        return AWSResponse(request.url, 200, {"Content-Type": "application/vnd.amazon.eventstream"}, CutOff())

    _access_with(answer)
    result = handler.lambda_handler({"body": "hi", "stream": True}, None)
    assert result["statusCode"] == status, result
    assert result["error"]["code"] == code
    assert result["error"]["stage"] == "stream"
    assert result["error"]["retryable"] is True
