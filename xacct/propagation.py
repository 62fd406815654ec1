"""Checks that follow an IAM change wait for it to propagate, on the emulator and on AWS alike.

IAM User Guide, "Troubleshoot IAM", "Changes that I make are not always immediately
visible": IAM is eventually consistent, so a role, trust policy or grant created a moment
ago can still be refused and one removed a moment ago can still be honoured; AWS advises
checking that a change has propagated before depending on it. AWS states no bound, so the
checks wait up to a deadline of their own:

- `eventually_allowed(call)`, for a positive check: repeats `call` while it is refused with
  an access denial and returns its first answer that is not one. Any other error is raised
  at once. A denial still there at the deadline fails with `PropagationTimeout`.
- `eventually_denied(call, expect=..., controls=...)`, for a negative check: first every
  control (a call on the same path that must be allowed, such as the same caller reaching a
  role that does admit it) is waited for with `eventually_allowed`, which proves that the
  principal, the role and the grants the call depends on are visible; then `call` is
  repeated until it is denied with the expected reason. A call still allowed at the
  deadline (a removal that never took effect) fails, and so does a denial for any other
  reason; so a negative check cannot pass because something it depends on is not visible
  yet, nor because it was asserted before a removal arrived.

A check that is not preceded by its opposite (the positive check of a grant that was
already in effect, say) proves nothing about the change: the tests establish the opposite
outcome first (tests/e2e/test_propagation.py).

The deadline is XACCT_PROPAGATION_DEADLINE_SECONDS, by default 120 s against AWS
(XACCT_TARGET=aws) and 20 s on the emulator, whose delay is what it is told. On success
nothing is waited for beyond the propagation itself.
"""

from __future__ import annotations

import os
import time
from typing import Callable, TypeVar

from botocore.exceptions import ClientError

DEADLINE_ENV = "XACCT_PROPAGATION_DEADLINE_SECONDS"
DEFAULT_DEADLINE_SECONDS = {"aws": 120.0, "emulator": 20.0}
# Refusals an IAM change still on its way can cause: the access-denied codes of STS, IAM and
# the JSON services, and STS's answer to an access key not yet visible everywhere.
DENIAL_CODES = frozenset({"AccessDenied", "AccessDeniedException"})
NOT_YET_VISIBLE_CODES = DENIAL_CODES | {"InvalidClientTokenId"}
FIRST_PAUSE, LONGEST_PAUSE = 0.25, 5.0

T = TypeVar("T")


class PropagationTimeout(AssertionError):
    """The expected outcome did not arrive before the deadline; the message says what did."""


def deadline_seconds(env: dict[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    given = env.get(DEADLINE_ENV)
    if not given:
        return DEFAULT_DEADLINE_SECONDS["aws" if env.get("XACCT_TARGET") == "aws" else "emulator"]
    try:
        seconds = float(given)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise ValueError(f"{DEADLINE_ENV} must be a number of seconds from above 0 to 3600, not {given!r}")
    return seconds


def refusal(outcome, codes=DENIAL_CODES) -> str | None:
    """The message of an access denial (a botocore ClientError, or an invoker's structured
    answer {"statusCode": 403, "error": {"code", "message"}}), else None."""
    if isinstance(outcome, ClientError):
        error = outcome.response.get("Error", {})
        return (error.get("Message") or error.get("Code")) if error.get("Code") in codes else None
    if isinstance(outcome, dict) and outcome.get("statusCode") == 403:
        error = outcome.get("error") or {}
        return (error.get("message") or error.get("code")) if error.get("code") in codes else None
    return None


def _attempt(call: Callable[[], T], codes) -> tuple[T | None, str | None]:
    """(answer, None) when `call` was not refused; (None, message) when it was."""
    try:
        answer = call()
    except ClientError as error:
        message = refusal(error, codes)
        if message is None:
            raise
        return None, message
    message = refusal(answer, codes)
    return (None, message) if message is not None else (answer, None)


class _Clock:
    def __init__(self, deadline: float | None, clock, sleep):
        self.clock, self.sleep = clock, sleep
        self.limit = deadline_seconds() if deadline is None else deadline
        self.end = clock() + self.limit
        self.pause = FIRST_PAUSE
        self.longest = min(LONGEST_PAUSE, max(self.limit / 20, FIRST_PAUSE))  # 1 s on the emulator, 5 s on AWS

    def wait(self) -> bool:
        """Pause before the next attempt; False when the deadline has passed."""
        left = self.end - self.clock()
        if left <= 0:
            return False
        self.sleep(min(self.pause, left))
        self.pause = min(self.pause * 2, self.longest)
        return True


def eventually_allowed(call: Callable[[], T], *, what: str = "the call", deadline: float | None = None,
                       clock=time.monotonic, sleep=time.sleep) -> T:
    """`call`'s first answer that is not an access denial, waiting up to the deadline."""
    timer = _Clock(deadline, clock, sleep)
    while True:
        answer, denied = _attempt(call, NOT_YET_VISIBLE_CODES)
        if denied is None:
            return answer
        if not timer.wait():
            raise PropagationTimeout(f"{what} was still denied after {timer.limit:g} s (IAM propagation "
                                     f"deadline, {DEADLINE_ENV}): {denied}")


def eventually_denied(call: Callable[[], object], *, expect: str | Callable[[str], bool] | None = None,
                      controls: tuple[Callable[[], object], ...] | list = (), what: str = "the call",
                      deadline: float | None = None, clock=time.monotonic, sleep=time.sleep) -> str:
    """The message with which `call` is denied once every control is allowed.

    `expect` is a text the denial must contain, or a test of its message. The controls and
    the wait for the denial share one deadline.
    """
    timer = _Clock(deadline, clock, sleep)
    for index, control in enumerate(controls):
        left = max(timer.end - clock(), 0.0)
        try:
            eventually_allowed(control, what=f"control {index + 1} of {what}", deadline=left, clock=clock, sleep=sleep)
        except PropagationTimeout as late:
            raise PropagationTimeout(f"cannot tell whether {what} is denied for the intended reason: {late}") from None
    matches = (lambda message: True) if expect is None else (
        (lambda message: expect in message) if isinstance(expect, str) else expect)
    while True:
        answer, denied = _attempt(call, DENIAL_CODES)
        if denied is not None and matches(denied):
            return denied
        last = f"denied for another reason: {denied}" if denied is not None else f"still allowed: {answer!r}"[:2000]
        if not timer.wait():
            raise PropagationTimeout(f"{what} was not denied as expected within {timer.limit:g} s "
                                     f"(IAM propagation deadline, {DEADLINE_ENV}); {last}")
