"""Throttled calls are retried past botocore's three attempts while the invocation's deadline allows.

The Boto3 guide ("Retries", standard mode) gives three attempts with back-off of
rand(0, 1) * min(2 ** (attempt - 1), 20) seconds; "IAM and AWS STS quotas" says STS answers
callers over its request rate with `Throttling` "Rate exceeded". The budget keeps
FUNCTION_TIMEOUT_SECONDS for attempts that time out, but a throttled attempt answers at once,
so the handler goes on retrying throttles only, and only while the deadline still holds one
more attempt plus what the budget keeps for the rest of the invocation.
"""

from __future__ import annotations

import os
import time
import types

import botocore.session
from botocore.awsrequest import AWSResponse
import pytest
from botocore.config import Config as BotoConfig

from sagemaker_invoker import config, handler, parent_access, throttle_retry
from xacct.bench import EVENT, apply_lambda_env, provision
from xacct.emulator.client import EmulatorProcess


def _client(attempts: int = 3):
    session = botocore.session.Session()
    session.set_credentials("AKIDEXAMPLE", "secret")
    return session.create_client("sts", region_name="us-east-1",
                                 config=BotoConfig(retries={"mode": "standard", "total_max_attempts": attempts}))


def _decision(client, code: str, attempts: int, operation: str = "AssumeRole"):
    """What the client's needs-retry handlers (botocore's first, then ours) answer, as botocore reads it."""
    status = 503 if code == "ServiceUnavailable" else 400
    parsed = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    service = client.meta.service_model.service_id.hyphenize()
    responses = client.meta.events.emit(f"needs-retry.{service}.{operation}",
                                        response=(AWSResponse(client.meta.endpoint_url, status, {}, None), parsed),
                                        endpoint=None, operation=client.meta.service_model.operation_model(operation),
                                        attempts=attempts, caught_exception=None, request_dict={"context": {}})
    return next((answer for _, answer in responses if answer is not None), None)


class Left(throttle_retry.Deadline):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def left(self):
        return self.seconds


@pytest.mark.unit
def test_below_the_budget_botocore_decides_and_at_it_the_deadline_does():
    client = _client()
    throttle_retry.install(client, Left(100.0), 3, attempt_seconds=8, reserve_seconds=50, rand=lambda: 0.5)
    first = _decision(client, "Throttling", 1)
    assert 0 <= first <= 1, "botocore's own back-off below the budget"
    assert _decision(client, "Throttling", 3) == 0.5 * 4, "past the budget: botocore's formula, 2 ** 2 cap"
    assert _decision(client, "Throttling", 8) == 0.5 * 20, "capped at 20 s as botocore caps it"


@pytest.mark.unit
@pytest.mark.parametrize("code, left, expected", [
    ("ServiceUnavailable", 100.0, None),  # not throttling: botocore's budget stands
    ("Throttling", None, None),           # no known timeout: nothing to extend into
    ("Throttling", 8 + 50 + 1.9, None),   # the sleep (2 s) would eat into the reserve
    ("Throttling", 8 + 50 + 2.0, 2.0),    # exactly fits
])
def test_past_the_budget_only_throttling_within_the_deadline_is_retried(code, left, expected):
    client = _client()
    throttle_retry.install(client, Left(left), 3, attempt_seconds=8, reserve_seconds=50, rand=lambda: 0.5)
    assert _decision(client, code, 3) == expected


# modules/child's default: FUNCTION_TIMEOUT_SECONDS=260 with CONNECT_TIMEOUT_SECONDS=3 gives a 65 s
# read timeout and 3 attempts (budget.py). One more AssumeRole attempt takes up to 3 + 5 s and must
# leave a whole InvokeEndpoint call, 3 x (3 + 65) s plus 1 + 5 and 2 + 5 s of back-off, and the 2 s
# margin: 8 + 217 + 2 = 227 s. One more InvokeEndpoint attempt takes up to 68 s and leaves the margin: 70 s.
# Past the third attempt botocore's back-off is rand() x 4 s, so 4 s more always suffice.
@pytest.mark.unit
@pytest.mark.parametrize("client, operation, needed", [("sts", "AssumeRole", 227.0),
                                                      ("sagemaker", "InvokeEndpoint", 70.0)])
def test_each_client_of_the_parent_access_keeps_what_the_rest_of_the_invocation_needs(client, operation, needed):
    cfg = config.load_config({"PARENT_ROLE_ARN": "arn:aws:iam::111122223333:role/R", "ALLOWED_ENDPOINTS": "ep",
                              "AWS_REGION": "eu-west-1", "FUNCTION_TIMEOUT_SECONDS": "260"})
    assert (cfg.read_timeout_seconds, cfg.max_attempts, cfg.connect_timeout_seconds) == (65.0, 3, 3.0)
    access = parent_access.build(cfg)
    chosen = getattr(access, client)
    access.deadline.at = time.monotonic() + needed - 0.5
    assert _decision(chosen, "Throttling", 3, operation) is None, "one more attempt would eat into the rest"
    access.deadline.at = time.monotonic() + needed + 4 + 0.5
    delay = _decision(chosen, "Throttling", 3, operation)
    assert delay is not None and 0 <= delay <= 4


@pytest.fixture(scope="module")
def emu():
    with EmulatorProcess() as emulator:
        yield emulator, provision(emulator)


@pytest.fixture
def lambda_env(emu, tmp_path, monkeypatch):
    emulator, env = emu
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name in ("FUNCTION_TIMEOUT_SECONDS", "MAX_ATTEMPTS", "READ_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    saved = dict(os.environ)
    apply_lambda_env(env, tmp_path)
    handler._reset_for_tests()
    yield emulator
    os.environ.clear()
    os.environ.update(saved)
    handler._reset_for_tests()
    emulator.clear_throttles()


def _cold_invocation(context=None):
    handler._reset_for_tests()
    return handler.lambda_handler(EVENT, context or types.SimpleNamespace(aws_request_id="t"))


@pytest.mark.emulator
def test_a_cold_container_throttled_beyond_three_attempts_gets_through_within_its_timeout(lambda_env):
    emulator = lambda_env
    os.environ["FUNCTION_TIMEOUT_SECONDS"] = "260"  # modules/child's default
    emulator.set_throttle("child", "sts:AssumeRole", rate_per_second=0.25, burst=1)
    assert _cold_invocation()["statusCode"] == 200  # takes the only token
    emulator.clear_journal()
    answer = _cold_invocation()  # the next token comes 4 s later: three attempts give up after at most 3 s
    assert answer["statusCode"] == 200, answer
    assert len([e for e in emulator.journal() if e.get("throttled")]) >= 1


@pytest.mark.emulator
def test_without_a_known_timeout_a_throttle_past_three_attempts_reaches_the_caller_as_retryable(lambda_env):
    emulator = lambda_env
    emulator.set_throttle("child", "sts:AssumeRole", rate_per_second=0.01, burst=1)
    assert _cold_invocation()["statusCode"] == 200
    emulator.clear_journal()
    answer = _cold_invocation()
    assert answer["statusCode"] == 400
    assert answer["error"]["code"] == "Throttling" and answer["error"]["message"] == "Rate exceeded"
    assert answer["error"]["stage"] == "assume_role" and answer["error"]["retryable"] is True
    assert len([e for e in emulator.journal() if e.get("throttled")]) == 3, "botocore's three attempts, no more"
