"""Streamed answers with events the function does not know, and where the first part is timed.

SageMaker Runtime API reference, InvokeEndpointWithResponseStream: the response is an event
stream whose PayloadPart events carry the body; the stream's union may gain event types (as
it gained ModelStreamError and InternalStreamFailure), and a client must not lose the parts
that follow one it does not know. Today botocore itself drops an event type its model lacks
(botocore/eventstream.py yields only events that parse to something); the handler skips any
that would still arrive without a PayloadPart.
"""

from __future__ import annotations

import types

import pytest

from sagemaker_invoker import handler, parent_access
from tests.unit.fakes import HappyAws, lambda_env, no_network, response  # noqa: F401
from xacct.emulator.eventstream import _frame, payload_part

pytestmark = pytest.mark.unit

STREAM_OP = "before-send.sagemaker-runtime.InvokeEndpointWithResponseStream"


def _answer_with(frames: bytes):
    access = parent_access.for_config(handler.config.get_config())
    HappyAws(access)

    def answer(request, **kwargs):
        return response(request, 200, {"Content-Type": "application/vnd.amazon.eventstream",
                                       "X-Amzn-SageMaker-Content-Type": "text/plain"}, frames)
    access.sagemaker.meta.events.register(STREAM_OP, answer)


def test_an_unknown_event_between_parts_is_skipped_and_the_parts_after_it_kept():
    newer = _frame({":message-type": "event", ":event-type": "SomethingNewer", ":content-type": "application/json"}, b"{}")
    _answer_with(payload_part(b"Hel") + newer + payload_part(b"lo") + payload_part(b""))
    result = handler.lambda_handler({"body": "hi", "stream": True}, None)
    assert (result["statusCode"], result["body"], result["parts"]) == (200, "Hello", 3)


def test_the_first_part_is_timed_from_the_invocations_start(monkeypatch):
    readings = iter([100.0, 100.25678, 101.0, 101.5])
    monkeypatch.setattr(handler, "time", types.SimpleNamespace(monotonic=lambda: next(readings)))
    _answer_with(payload_part(b"a") + payload_part(b"b"))
    result = handler.lambda_handler({"body": "hi", "stream": True}, None)
    # 100.0 at the start, 100.25678 at the first part (none at the second), 101.0 for the log
    # line: 256.78 ms, given in tenths of a millisecond.
    assert (result["body"], result["parts"], result["firstPartMs"]) == ("ab", 2, 256.8)
