"""The harness's waiting for IAM propagation (xacct/propagation.py), against a fake IAM.

IAM User Guide, "Changes that I make are not always immediately visible": a change reaches
authorization some time after it is made, in both directions. The fake below does exactly
that on a fake clock, and each test shows the naive check (asserting at once) getting the
wrong answer where the waiting helper gets the right one, or refusing to pass.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from xacct.propagation import (DEADLINE_ENV, PropagationTimeout, deadline_seconds, eventually_allowed,
                               eventually_denied, refusal)

pytestmark = pytest.mark.unit

DELAY = 3.0
DENIED = "User: arn:aws:sts::222222222222:assumed-role/app/s is not authorized to perform: sts:AssumeRole on resource: R"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


def denial(message: str = DENIED, code: str = "AccessDenied") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")


class LaggingIam:
    """Who may call, as authorization sees it: each change is in effect DELAY seconds after it is made."""

    def __init__(self, clock: Clock, allowed: bool):
        self.clock = clock
        self.changes = [(-1.0, allowed)]
        self.calls = 0

    def change(self, allowed: bool) -> None:
        self.changes.append((self.clock() + DELAY, allowed))

    def allowed(self) -> bool:
        return [allowed for since, allowed in self.changes if since <= self.clock()][-1]

    def call(self) -> str:
        self.calls += 1
        if not self.allowed():
            raise denial()
        return "credentials"


@pytest.fixture
def clock():
    return Clock()


def naive_allowed(call):
    return call()


def naive_denied(call) -> str:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Message"]


def test_a_positive_check_right_after_a_grant_is_added_fails_without_waiting(clock):
    iam = LaggingIam(clock, allowed=False)
    iam.change(allowed=True)
    with pytest.raises(ClientError):
        naive_allowed(iam.call)
    assert eventually_allowed(iam.call, deadline=30, clock=clock, sleep=clock.sleep) == "credentials"
    assert DELAY <= clock.now < DELAY + 5, "it waited for the change and no longer"


def test_a_negative_check_right_after_a_grant_is_removed_fails_without_waiting(clock):
    iam = LaggingIam(clock, allowed=True)
    iam.change(allowed=False)
    with pytest.raises(pytest.fail.Exception):
        naive_denied(iam.call)  # the removed grant is still honoured
    assert eventually_denied(iam.call, expect="is not authorized to perform: sts:AssumeRole",
                             deadline=30, clock=clock, sleep=clock.sleep) == DENIED
    assert clock.now >= DELAY


def test_a_negative_check_does_not_pass_while_what_it_depends_on_is_not_visible(clock):
    """A new role that (by mistake) admits the caller: at first every call is denied because the
    role is not visible yet, so the naive negative check passes by accident. The waiting check
    first needs the control (another caller the role surely admits) to be allowed, and then
    sees the mistake."""
    role_visible = LaggingIam(clock, allowed=False)
    role_visible.change(allowed=True)  # the role is created now
    probe = role_visible.call           # the caller under test, admitted by the mistaken trust
    control = role_visible.call         # a caller the trust is meant to admit
    assert naive_denied(probe) == DENIED  # passes, wrongly
    with pytest.raises(PropagationTimeout, match="was not denied as expected .* still allowed: 'credentials'"):
        eventually_denied(probe, controls=[control], deadline=30, clock=clock, sleep=clock.sleep)


def test_a_control_that_never_succeeds_fails_the_negative_check(clock):
    never = LaggingIam(clock, allowed=False)
    with pytest.raises(PropagationTimeout, match="cannot tell whether the trust check is denied for the intended reason"):
        eventually_denied(never.call, controls=[never.call], what="the trust check", deadline=10,
                          clock=clock, sleep=clock.sleep)
    assert 10 <= clock.now < 11


def test_a_denial_for_another_reason_is_not_the_expected_one(clock):
    def call():
        raise denial("User: u is not authorized to perform: sagemaker:InvokeEndpoint on resource: e "
                     "because no identity-based policy allows the sagemaker:InvokeEndpoint action", "AccessDeniedException")

    with pytest.raises(PropagationTimeout, match="denied for another reason: .*no identity-based policy"):
        eventually_denied(call, expect="because no resource-based policy allows", deadline=5,
                          clock=clock, sleep=clock.sleep)


def test_a_positive_check_gives_up_at_the_deadline_with_the_last_denial(clock):
    iam = LaggingIam(clock, allowed=False)
    with pytest.raises(PropagationTimeout, match=f"still denied after 100 s .*{DEADLINE_ENV}.*sts:AssumeRole"):
        eventually_allowed(iam.call, deadline=100, clock=clock, sleep=clock.sleep)
    assert clock.now == 100
    assert iam.calls < 30, "pauses grow (to 5 s): a long deadline is not a busy loop"


def test_other_errors_are_not_retried(clock):
    calls = []

    def call():
        calls.append(1)
        raise ClientError({"Error": {"Code": "ValidationError", "Message": "bad"}}, "AssumeRole")

    for check in (lambda: eventually_allowed(call, deadline=30, clock=clock, sleep=clock.sleep),
                  lambda: eventually_denied(call, deadline=30, clock=clock, sleep=clock.sleep)):
        with pytest.raises(ClientError, match="bad"):
            check()
    assert len(calls) == 2 and clock.now == 0


def test_the_invokers_structured_denial_counts_as_a_denial():
    answer = {"statusCode": 403, "error": {"code": "AccessDenied", "message": DENIED, "stage": "assume_role"}}
    assert refusal(answer) == DENIED
    assert refusal({"statusCode": 200, "body": "x"}) is None
    assert refusal({"statusCode": 403, "error": {"code": "Forbidden", "message": "x"}}) is None
    assert refusal(denial(code="InvalidClientTokenId")) is None, "a denial, for positive checks only"


def test_the_deadline_comes_from_the_environment():
    assert deadline_seconds({}) == 20
    assert deadline_seconds({"XACCT_TARGET": "aws"}) == 120
    assert deadline_seconds({DEADLINE_ENV: "45", "XACCT_TARGET": "aws"}) == 45
    for wrong in ("0", "-3", "soon", "3601"):
        with pytest.raises(ValueError, match=f"{DEADLINE_ENV} must be a number of seconds"):
            deadline_seconds({DEADLINE_ENV: wrong})
