"""Hours of invocations on a controlled clock: the parent-role keys are refreshed before they
expire, on the schedule the refresh windows imply, and no request is ever signed with expired keys.

Lambda's execution role is itself a role session, so assuming the parent role is role
chaining and STS caps that session at one hour. A warm container living for hours must
therefore assume the role again and again; here five hours of fake time pass in each case.

The clock: botocore's refreshable credentials decide with the ``time_fetcher`` their
constructor takes; ``parent_access.build`` passes its ``clock`` argument there, and the
handler serves with the access the test built (``handler.handle``). The refresh point's
per-container jitter is injected as 0 here, so the schedule is botocore's own windows.

AWS is faked as in test_handler.py (tests/unit/fakes.py): ``before-send`` hooks on the
very STS and sagemaker-runtime clients the access holds, answering in wire format, so every
request is really built and signed (credential refresh happens at signing). STS answers with
Expiration = fake now + DurationSeconds. The InvokeEndpoint hook reads the access key
from the signed Authorization header and looks up when that key expires.
"""

from __future__ import annotations

import datetime as dt
import math
import types
import urllib.parse

import pytest

from sagemaker_invoker import config, handler, parent_access
from tests.unit.fakes import (  # noqa: F401  (lambda_env and no_network are autouse fixtures)
    EXEC_KEY,
    assume_role_xml,
    lambda_env,
    no_network,
    response,
    signing_key,
)

pytestmark = pytest.mark.unit

ROLE_CHAINING_CAP = 3600  # STS's limit on DurationSeconds when a role session assumes a role
SIMULATED = 5 * 3600  # five hours of fake time
START = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def elapsed(self) -> float:
        return (self.now - START).total_seconds()


class FakeAws:
    """STS issuing keys that expire on the fake clock; SageMaker recording who signed, and when."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.expiry = {}  # access key id -> expiry issued by the fake STS
        self.assumed_at = []  # fake seconds at which AssumeRole was called
        self.invokes = []  # (fake now, signing key, that key's expiry)

    def attach(self, access: parent_access.ParentAccess) -> None:
        access.sts.meta.events.register("before-send.sts.AssumeRole", self._sts)
        access.sagemaker.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", self._invoke)

    def _sts(self, request, **kwargs):
        assert signing_key(request) == EXEC_KEY, "AssumeRole must be signed by the execution role"
        query = request.body.decode() if isinstance(request.body, bytes) else request.body
        params = dict(urllib.parse.parse_qsl(query))
        duration = int(params["DurationSeconds"])
        assert duration <= ROLE_CHAINING_CAP, "STS would refuse this chained session"
        key = f"ASIAPARENT{len(self.assumed_at):04d}"
        self.assumed_at.append(self.clock.elapsed())
        self.expiry[key] = self.clock.now + dt.timedelta(seconds=duration)
        body = assume_role_xml(key, f"{self.expiry[key]:%Y-%m-%dT%H:%M:%SZ}")
        return response(request, 200, {"Content-Type": "text/xml"}, body)

    def _invoke(self, request, **kwargs):
        key = signing_key(request)
        self.invokes.append((self.clock.now, key, self.expiry.get(key)))
        headers = {"Content-Type": "application/json", "x-Amzn-Invoked-Production-Variant": "AllTraffic",
                   "x-amzn-RequestId": "smr-ok", "Content-Length": "2"}
        return response(request, 200, headers, b"{}")


@pytest.fixture
def clock():
    return Clock()


def expected_windows(duration: int) -> tuple[int, int]:
    """The windows lambda_src/README.md documents: botocore's 15/10 minutes, shrunk to 1/3 and 1/5."""
    return min(15 * 60, duration // 3), min(10 * 60, duration // 5)


@pytest.mark.parametrize(
    "duration,step,window,assume_roles",
    [
        (3600, 60, "advisory", 7),  # refreshed at the first call with under 15 minutes left
        (3600, 1050, "mandatory", 6),  # after a gap, the call lands 7.5 minutes before expiry
        (3600, 1300, "expired", 5),  # idle past expiry: the held keys are dead and replaced first
        (900, 60, "advisory", 28),  # short session: windows shrunk to 5 and 3 minutes
    ],
    ids=["1h-every-60s", "1h-every-1050s", "1h-every-1300s", "15min-every-60s"],
)
def test_keys_are_refreshed_before_expiry_and_never_used_expired(lambda_env, clock, duration, step, window,
                                                                 assume_roles):
    lambda_env.setenv("SESSION_DURATION_SECONDS", str(duration))
    aws = FakeAws(clock)
    # The clock goes in through botocore's own constructor argument; no jitter: botocore's windows.
    access = parent_access.build(config.get_config(), clock=clock, jitter=lambda: 0.0)
    aws.attach(access)
    advisory, mandatory = expected_windows(duration)
    assert (access.windows.advisory, access.windows.mandatory) == (advisory, mandatory)

    calls = SIMULATED // step
    for i in range(calls):
        clock.now = START + dt.timedelta(seconds=i * step)
        result = handler.handle({"body": "a"}, types.SimpleNamespace(aws_request_id=f"req-{i}"), lambda cfg: access)
        assert result["statusCode"] == 200, result

    # Keys are replaced at the first call that finds fewer than `advisory` seconds left:
    # the first multiple of `step` beyond duration - advisory after the previous AssumeRole.
    period = (math.floor((duration - advisory) / step) + 1) * step
    last_call = (calls - 1) * step
    assert aws.assumed_at == [k * period for k in range(last_call // period + 1)]
    assert len(aws.assumed_at) == assume_roles == math.ceil(SIMULATED / period)
    left_at_refresh = duration - period  # what the replaced keys still had
    assert {
        "advisory": mandatory <= left_at_refresh < advisory,
        "mandatory": 0 <= left_at_refresh < mandatory,
        "expired": left_at_refresh < 0,
    }[window]

    assert len(aws.invokes) == calls
    for now, key, expiry in aws.invokes:
        assert expiry is not None, f"{key} was not issued by the fake STS"
        assert expiry > now, f"{key} signed a request at {now} but expired at {expiry}"
        assert (expiry - now).total_seconds() >= advisory  # fresh keys, not merely unexpired ones
    # Each key is used from the call that assumed it until the next AssumeRole, then never again.
    used = [key for _, key, _ in aws.invokes]
    assert [k for i, k in enumerate(used) if i == 0 or used[i - 1] != k] == sorted(aws.expiry)
