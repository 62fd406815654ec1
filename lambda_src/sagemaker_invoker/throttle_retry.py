"""Throttled calls retried past botocore's attempt budget while the invocation's deadline allows.

The attempt budget (budget.py) assumes every attempt times out, so at the default 260 s it
leaves room for three attempts per call and no more. A throttled attempt is answered at
once, though: when a fleet of cold containers meets STS's request rate, three attempts
spread over about three seconds of back-off give up while 250 s of the function's time are
left. So a throttling error that botocore would give up on is retried once more, with
botocore's own back-off (full jitter, capped at 20 s), if after the sleep the deadline still
holds one more attempt that times out plus everything the budget keeps for what follows
(``reserve``). The function therefore never runs past its timeout, and a throttled fleet
gets through as fast as the service's rate lets it.

Only throttling is retried here: other errors keep botocore's budget.
"""

from __future__ import annotations

import random
import time
from typing import Callable, Optional

# The throttling codes of the two services called (STS, SageMaker runtime); botocore's
# standard mode retries these, and errors.py reports them as retryable.
THROTTLING_CODES = frozenset({"Throttling", "ThrottlingException"})
# botocore's standard-mode back-off (botocore/retries/standard.py).
_BASE_SECONDS = 1
_MAX_BACKOFF_SECONDS = 20


class Deadline:
    """When the running invocation must have answered, on time.monotonic; None when unknown."""

    def __init__(self) -> None:
        self.at: Optional[float] = None

    def left(self) -> Optional[float]:
        return None if self.at is None else self.at - time.monotonic()


def install(
    client,
    deadline: Deadline,
    max_attempts: int,
    attempt_seconds: float,
    reserve_seconds: float,
    rand: Callable[[], float] = random.random,
) -> None:
    """Retry ``client``'s throttled calls past ``max_attempts`` while ``deadline`` holds them.

    ``attempt_seconds`` is the longest one more attempt can take (connect and read timeout);
    ``reserve_seconds`` is what must still be left after it.
    """

    def needs_retry(response=None, attempts: int = 0, **_) -> Optional[float]:
        # Registered after botocore's own handler: the first answer that is not None wins,
        # so below the budget botocore decides, and this only extends it.
        if response is None or attempts < max_attempts:
            return None
        if response[1].get("Error", {}).get("Code") not in THROTTLING_CODES:
            return None
        left = deadline.left()
        if left is None:
            return None  # no known timeout: botocore's budget is all there is
        delay = rand() * min(_BASE_SECONDS * 2 ** (attempts - 1), _MAX_BACKOFF_SECONDS)
        if left - delay - attempt_seconds < reserve_seconds:
            return None
        return delay

    client.meta.events.register(f"needs-retry.{client.meta.service_model.service_id.hyphenize()}", needs_retry)
