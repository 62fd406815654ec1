"""The one log line per invocation, field by field, and the deadline the handler hands on.

The line is the function's only record of an invocation (lambda_src/README.md, "Logs"), so
each number in it is pinned exactly: durationMs on a fake monotonic clock, bytesIn in bytes
(not characters), retryAttempts from botocore's ResponseMetadata on success and on failure.
The deadline is the earlier of Lambda's remaining time (context.get_remaining_time_in_millis,
AWS Lambda Developer Guide, "Using the Lambda context object to retrieve Python function
information") and FUNCTION_TIMEOUT_SECONDS counted from the invocation's start.
"""

from __future__ import annotations

import json
import logging
import types

import botocore.endpoint
import pytest

from sagemaker_invoker import config, handler, parent_access
from tests.unit.fakes import ENDPOINT, HappyAws, lambda_env, no_network, response  # noqa: F401

pytestmark = pytest.mark.unit


class Clock:
    """time.monotonic for the handler: each reading is 0.25 s after the previous one."""

    def __init__(self, start=1000.0, step=0.25):
        self.now, self.step, self.readings = start - step, step, 0

    def monotonic(self):
        self.now += self.step
        self.readings += 1
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(handler, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)  # botocore's back-off
    return fake


def invocation_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"msg":"invocation"')]


def run(caplog, event, context=None):
    with caplog.at_level(logging.INFO, logger="sagemaker_invoker"):
        result = handler.lambda_handler(event, context)
    (line,) = invocation_lines(caplog)
    return result, line


def test_a_success_is_logged_with_exact_duration_bytes_and_attempts(clock, caplog):
    HappyAws(parent_access.for_config(config.get_config()), answer="réponse".encode())
    result, line = run(caplog, {"body": "héllo"}, types.SimpleNamespace(aws_request_id="req-1"))
    assert result["body"] == "réponse"
    assert line == {"msg": "invocation", "requestId": "req-1", "endpoint": ENDPOINT, "statusCode": 200,
                    "errorCode": None, "stage": "done", "durationMs": 250.0, "bytesIn": 6, "bytesOut": 8,
                    "retryAttempts": 0, "stream": False}


def test_the_duration_is_in_milliseconds_to_a_tenth(clock, caplog):
    clock.step = 0.0123456
    HappyAws(parent_access.for_config(config.get_config()))
    _, line = run(caplog, {"body": "a"})
    assert line["durationMs"] == 12.3


def test_a_refused_event_is_logged_without_endpoint_or_bytes(clock, caplog):
    result, line = run(caplog, {"body": "x", "accept": ""})
    assert result["statusCode"] == 400
    assert line == {"msg": "invocation", "requestId": None, "endpoint": None, "statusCode": 400,
                    "errorCode": "InvalidRequest", "stage": "validation", "durationMs": 250.0, "bytesIn": 0,
                    "bytesOut": 0, "retryAttempts": None, "stream": False}


def test_a_failure_after_retries_logs_the_attempts_botocore_made(clock, caplog):
    access = parent_access.for_config(config.get_config())
    HappyAws(access)

    def throttled(request, **kwargs):
        headers = {"x-amzn-ErrorType": "ThrottlingException:", "Content-Type": "application/json"}
        return response(request, 400, headers, b'{"Message": "slow down"}')

    access.sagemaker.meta.events.register_first("before-send.sagemaker-runtime.InvokeEndpoint", throttled)
    result, line = run(caplog, {"body": "abc"})
    assert (result["statusCode"], result["error"]["code"], result["error"]["retryable"]) == (400, "ThrottlingException", True)
    assert (line["retryAttempts"], line["errorCode"], line["stage"], line["bytesIn"]) == (2, "ThrottlingException",
                                                                                          "invoke_endpoint", 3)


@pytest.mark.parametrize("timeout, remaining_ms, deadline", [
    # Readings: 1000.0 at the start, 1000.25 when the remaining time is read.
    ("300", 30_000, 1000.25 + 30),  # Lambda's remaining time is sooner
    ("120", 300_000, 1000.0 + 120),  # the function timeout, counted from the start, is sooner
], ids=["remaining-time-sooner", "function-timeout-sooner"])
def test_the_deadline_is_whichever_comes_first(clock, caplog, lambda_env, timeout, remaining_ms, deadline):
    lambda_env.setenv("FUNCTION_TIMEOUT_SECONDS", timeout)
    access = parent_access.for_config(config.get_config())
    HappyAws(access)
    context = types.SimpleNamespace(aws_request_id="r", get_remaining_time_in_millis=lambda: remaining_ms)
    run(caplog, {"body": "a"}, context)
    assert access.deadline.at == deadline


def test_without_context_or_function_timeout_there_is_no_deadline(clock, caplog):
    access = parent_access.for_config(config.get_config())
    HappyAws(access)
    run(caplog, {"body": "a"})
    assert access.deadline.at is None


def test_an_answer_that_is_not_utf8_comes_back_base64(clock, caplog):
    HappyAws(parent_access.for_config(config.get_config()), answer=b"\xff\xfe")
    result, line = run(caplog, {"body": "a"})
    assert (result.get("body"), result["bodyBase64"]) == (None, "//4=")
    assert line["bytesOut"] == 2


def test_a_deadline_nobody_set_is_unknown():
    """throttle_retry then leaves every decision to botocore's own attempt budget."""
    from sagemaker_invoker import throttle_retry

    assert throttle_retry.Deadline().left() is None


def test_a_deadline_counts_down_on_the_monotonic_clock():
    import time

    from sagemaker_invoker import throttle_retry

    deadline = throttle_retry.Deadline()
    deadline.at = time.monotonic() + 10
    assert 9 < deadline.left() <= 10


def test_an_unforeseen_failure_while_reading_the_configuration_is_reported_at_that_stage(clock, caplog, monkeypatch):
    def broken():
        raise RuntimeError("unexpected")

    broken.cache_clear = lambda: None  # the fixtures reset the container's cache after the test
    monkeypatch.setattr(config, "get_config", broken)
    result, line = run(caplog, {"body": "a"}, types.SimpleNamespace(aws_request_id="req-3"))
    assert result == {"statusCode": 500, "error": {
        "code": "InternalError", "message": "internal error in the invoker function; see its logs for request req-3",
        "stage": "configuration", "retryable": False}}
    assert (line["stage"], line["endpoint"], line["bytesIn"]) == ("configuration", None, 0)
    # The cause is in the function's own log, with its traceback, for the request id the caller got.
    (logged,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged.getMessage() == "unexpected error at stage configuration"
    assert isinstance(logged.exc_info[1], RuntimeError) and str(logged.exc_info[1]) == "unexpected"


def test_an_unforeseen_failure_while_validating_is_reported_at_that_stage(clock, caplog, monkeypatch):
    def broken(event, cfg):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(handler, "parse_event", broken)
    result, line = run(caplog, {"body": "a"})
    assert (result["error"]["code"], result["error"]["stage"], line["stage"]) == ("InternalError", "validation",
                                                                                 "validation")


def test_an_unforeseen_failure_while_building_parent_access_is_reported_at_assume_role(clock, caplog):
    def broken(cfg):
        raise RuntimeError("unexpected")

    with caplog.at_level(logging.INFO, logger="sagemaker_invoker"):
        result = handler.handle({"body": "a"}, None, broken)
    (line,) = invocation_lines(caplog)
    assert (result["error"]["code"], result["error"]["stage"], line["stage"]) == ("InternalError", "assume_role",
                                                                                 "assume_role")
