"""The time budget: how long an invocation can take at worst, and settings that fit the function's timeout.

If the worst case is longer than the function's timeout, Lambda ends the
invocation itself and the caller gets Lambda's timeout error instead of the
structured ``Timeout`` response. So the read timeout and the attempt budget
are derived from FUNCTION_TIMEOUT_SECONDS, and explicit settings that could
overrun it are refused when the configuration is loaded.

Worst case of one invocation (cold container, or keys due for refresh)::

    margin                                   parsing, encoding, the answer
  + attempts x (connect + STS read timeout)  AssumeRole, every attempt timing out
  + back-off(attempts)
  + attempts x (connect + read timeout)      InvokeEndpoint, every attempt timing out
  + back-off(attempts)

botocore's "standard" retry mode sleeps before retry i (1-based) at most
min(2 ** (i - 1), 20) seconds (throttling errors; other errors sleep 1/20 of
that), raised by at most 5 seconds more when the answer carries an
``x-amz-retry-after`` header. The bound below assumes the largest sleep
every time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

# AssumeRole answers in well under a second; do not wait the model-sized read timeout.
STS_READ_TIMEOUT_SECONDS = 5.0
# SageMaker gives a real-time invocation 60 s; 65 s leaves room for the network.
DEFAULT_READ_TIMEOUT_SECONDS = 65.0
# A derived read timeout is only preferred over fewer attempts while it still
# covers a full-length inference.
MODEL_TIME_LIMIT_SECONDS = 60.0
# botocore's own default for "standard" mode; it counts the first attempt.
DEFAULT_MAX_ATTEMPTS = 3
# Work outside the AWS calls: validating and encoding up to 6 MiB, base64 of the answer.
MARGIN_SECONDS = 2.0
# botocore's standard-mode back-off limits (botocore/retries/standard.py).
_MAX_BACKOFF_SECONDS = 20
_RETRY_AFTER_EXTRA_SECONDS = 5


def backoff_seconds(attempts: int) -> float:
    """The longest total sleep botocore's standard mode can put between ``attempts`` attempts."""
    return sum(min(2 ** (i - 1), _MAX_BACKOFF_SECONDS) + _RETRY_AFTER_EXTRA_SECONDS for i in range(1, attempts))


def call_seconds(connect: float, read: float, attempts: int) -> float:
    """The longest one API call can take when every attempt times out."""
    return attempts * (connect + read) + backoff_seconds(attempts)


def worst_case_seconds(connect: float, read: float, attempts: int) -> float:
    """The longest one invocation can take: AssumeRole, then InvokeEndpoint, both exhausting their attempts."""
    return (
        MARGIN_SECONDS
        + call_seconds(connect, STS_READ_TIMEOUT_SECONDS, attempts)
        + call_seconds(connect, read, attempts)
    )


def _read_that_fits(timeout: float, connect: float, attempts: int) -> float:
    """The longest read timeout with which ``attempts`` attempts fit in ``timeout`` (may be < 0)."""
    spare = timeout - worst_case_seconds(connect, 0, attempts)
    return math.floor(spare / attempts * 10) / 10  # tenths of a second, rounded down: never over


class BudgetError(ValueError):
    """The settings cannot fit the function's timeout; ``variable`` is the one to change."""

    def __init__(self, variable: str, message: str):
        super().__init__(message)
        self.variable = variable


@dataclass(frozen=True)
class Budget:
    read_timeout_seconds: float
    max_attempts: int


def fit(timeout: Optional[int], connect: float, read: Optional[float], attempts: Optional[int]) -> Budget:
    """Read timeout and attempts for a function timeout of ``timeout`` seconds.

    ``read`` and ``attempts`` are the explicit settings (None when unset); they
    win over derived values but must fit. Without a known timeout the defaults
    apply unchecked. Derived values prefer a read timeout that covers a full
    60 s inference, then as many attempts (up to 3) as still fit.
    """
    if timeout is None:
        return Budget(read or DEFAULT_READ_TIMEOUT_SECONDS, attempts or DEFAULT_MAX_ATTEMPTS)
    if read is not None and attempts is not None:
        _refuse_if_over(timeout, connect, read, attempts, "READ_TIMEOUT_SECONDS", "and MAX_ATTEMPTS allow")
        return Budget(read, attempts)
    if attempts is not None:
        derived = min(DEFAULT_READ_TIMEOUT_SECONDS, _read_that_fits(timeout, connect, attempts))
        _refuse_if_over(timeout, connect, max(derived, 1.0), attempts, "MAX_ATTEMPTS", "allows")
        return Budget(derived, attempts)
    if read is not None:
        for candidate in range(DEFAULT_MAX_ATTEMPTS, 0, -1):
            if worst_case_seconds(connect, read, candidate) <= timeout:
                return Budget(read, candidate)
        _refuse_if_over(timeout, connect, read, 1, "READ_TIMEOUT_SECONDS", "allows, even with one attempt,")

    for candidate in range(DEFAULT_MAX_ATTEMPTS, 0, -1):
        derived = min(DEFAULT_READ_TIMEOUT_SECONDS, _read_that_fits(timeout, connect, candidate))
        if derived >= MODEL_TIME_LIMIT_SECONDS:
            return Budget(derived, candidate)
    # Not even one full-length inference fits: one attempt with what is left.
    derived = _read_that_fits(timeout, connect, 1)
    if derived < 1:
        raise BudgetError(
            "FUNCTION_TIMEOUT_SECONDS",
            f"({timeout} s) is too short for one AssumeRole and one InvokeEndpoint attempt with "
            f"CONNECT_TIMEOUT_SECONDS={connect:g}: at least {math.ceil(worst_case_seconds(connect, 1, 1))} s is needed",
        )
    return Budget(derived, 1)


def _refuse_if_over(timeout: int, connect: float, read: float, attempts: int, variable: str, verb: str) -> None:
    worst = worst_case_seconds(connect, read, attempts)
    if worst > timeout:
        raise BudgetError(
            variable,
            f"{verb} an invocation to take up to {math.ceil(worst)} s (READ_TIMEOUT_SECONDS={read:g}, "
            f"MAX_ATTEMPTS={attempts}, CONNECT_TIMEOUT_SECONDS={connect:g}), longer than "
            f"FUNCTION_TIMEOUT_SECONDS={timeout}; lower them or raise the function's timeout",
        )
