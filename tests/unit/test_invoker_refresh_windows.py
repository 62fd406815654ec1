"""The refresh windows for each session length, exactly, and what a refresh leaves in the logs.

botocore refreshes refreshable credentials in the background 15 minutes before expiry and
blocks at 10 minutes (botocore/credentials.py: _advisory_refresh_timeout = 15 * 60,
_mandatory_refresh_timeout = 10 * 60). STS sessions last 900 to 43200 seconds (STS API
reference, AssumeRole: DurationSeconds), so for short sessions the windows shrink to a third
and a fifth of the duration; the jitter moves the advisory point at most half-way towards
the mandatory one (parent_access.refresh_windows).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from sagemaker_invoker import config, parent_access
from tests.unit.fakes import HappyAws, ROLE_ARN, lambda_env, no_network  # noqa: F401

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("duration, jitter, advisory, mandatory", [
    (900, 0.0, 300, 180),       # a third and a fifth of 15 minutes
    (2000, 0.0, 666, 400),      # still below botocore's: 2000 // 3, 2000 // 5
    (3600, 0.0, 900, 600),      # botocore's own windows
    (43200, 0.0, 900, 600),     # never longer than botocore's
    (3600, 0.5, 825, 600),      # a quarter of the 300 s between them
    (3600, 0.999, 751, 600),    # almost half-way, never past it
    (900, 0.5, 270, 180),
    (903, 0.0, 301, 180),       # whole seconds, rounded down (903 / 5 = 180.6)
])
def test_windows_for_each_session_length_and_jitter(duration, jitter, advisory, mandatory):
    assert parent_access.refresh_windows(duration, jitter) == parent_access.RefreshWindows(advisory, mandatory)


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def __call__(self):
        return self.now


def test_a_refresh_failure_is_tolerated_in_the_advisory_window_and_raised_in_the_mandatory_one():
    """botocore (credentials.py, RefreshableCredentials._protected_refresh): a failed refresh in
    the advisory window keeps the current keys; in the mandatory window it raises. The windows
    given are the ones used, not botocore's 15 and 10 minutes."""
    clock, answers = Clock(), []

    def fetch():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    expiry = clock.now + dt.timedelta(seconds=900)
    answers.append({"access_key": "ASIAFIRST", "secret_key": "s", "token": "t", "expiry_time": expiry.isoformat()})
    credentials = parent_access.refreshable(fetch, parent_access.RefreshWindows(advisory=300, mandatory=180), clock)
    assert credentials.get_frozen_credentials().access_key == "ASIAFIRST"
    clock.now = expiry - dt.timedelta(seconds=200)  # advisory, not yet mandatory
    answers.append(RuntimeError("Rate exceeded"))
    assert credentials.get_frozen_credentials().access_key == "ASIAFIRST"
    assert answers == [], "the advisory refresh was tried"
    clock.now = expiry - dt.timedelta(seconds=170)  # mandatory
    answers.append(RuntimeError("Rate exceeded"))
    with pytest.raises(RuntimeError, match="^Rate exceeded$"):
        credentials.get_frozen_credentials()


def test_an_assume_role_failure_keeps_its_cause_and_text():
    cause = RuntimeError("Rate exceeded")
    error = parent_access.AssumeRoleError(cause)
    assert (error.cause, str(error)) == (cause, "Rate exceeded")


def test_the_refresh_is_logged_at_debug_with_the_role_and_expiry_but_no_keys(caplog, lambda_env):
    lambda_env.setenv("LOG_LEVEL", "DEBUG")
    access = parent_access.for_config(config.get_config())
    HappyAws(access, key_id="ASIAPARENTDEBUG0001")
    with caplog.at_level(logging.DEBUG, logger="sagemaker_invoker"):
        access.ensure_fresh()
    (line,) = [json.loads(r.getMessage()) for r in caplog.records
               if r.name == "sagemaker_invoker.parent_access" and r.getMessage().startswith("{")]
    assert set(line) == {"msg", "roleArn", "expiration"}
    assert (line["msg"], line["roleArn"]) == ("assumed role", ROLE_ARN)
    expiry = dt.datetime.fromisoformat(line["expiration"])
    assert expiry.tzinfo is not None
    assert 3500 < (expiry - dt.datetime.now(dt.timezone.utc)).total_seconds() <= 3600
    assert access.credentials.get_frozen_credentials().access_key == "ASIAPARENTDEBUG0001"
    assert access.credentials.method == "assume-role"
