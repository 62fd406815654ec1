"""A fleet started together does not refresh its parent-role keys in one synchronized burst.

Containers that assume the role in the same second hold keys that expire in the same second.
With botocore's fixed windows every one of them would call AssumeRole again at the same
moment, every hour, and STS throttles callers above its request rate ("Rate exceeded").
Each container therefore moves its refresh point by a random amount inside botocore's
refresh window (parent_access.refresh_windows). The randomness is injected, so this test is
deterministic: N containers of real botocore refreshable credentials, as the package builds
them, on one fake clock, each invoked every few seconds for two hours of fake time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from sagemaker_invoker import parent_access

pytestmark = pytest.mark.unit

CONTAINERS = 200
DURATION = 3600  # the default SESSION_DURATION_SECONDS (and STS's cap for role chaining)
STEP = 5  # each container serves an invocation every STEP seconds
SIMULATED = 2 * 3600
START = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


def run_fleet(jitter) -> tuple:
    """AssumeRole times (seconds after start, per container) and the windows each container chose."""
    clock = Clock()
    fetched = [[] for _ in range(CONTAINERS)]

    def fetcher(container: int):
        def fetch():
            fetched[container].append((clock.now - START).total_seconds())
            expiry = clock.now + dt.timedelta(seconds=DURATION)
            return {"access_key": f"ASIA{container:04d}", "secret_key": "s", "token": "t",
                    "expiry_time": expiry.isoformat()}
        return fetch

    windows = [parent_access.refresh_windows(DURATION, jitter()) for _ in range(CONTAINERS)]
    fleet = [parent_access.refreshable(fetcher(i), windows[i], clock) for i in range(CONTAINERS)]
    for tick in range(0, SIMULATED, STEP):
        clock.now = START + dt.timedelta(seconds=tick)
        for credentials in fleet:  # all started in the same second, all busy
            credentials.get_frozen_credentials()
    return fetched, windows


def peak_per_second(fetched, after: float) -> int:
    per_second = Counter(int(t) for times in fetched for t in times if t > after)
    return max(per_second.values())


def test_without_jitter_the_whole_fleet_refreshes_in_the_same_second():
    fetched, _ = run_fleet(lambda: 0.0)
    assert all(len(times) == 3 for times in fetched)  # cold start, then one refresh per 45 minutes
    assert peak_per_second(fetched, after=0) == CONTAINERS


def test_with_jitter_refreshes_spread_over_the_window_and_stay_advisory():
    fetched, windows = run_fleet(random.Random(20301).random)
    advisory, mandatory = parent_access.ADVISORY_REFRESH_SECONDS, parent_access.MANDATORY_REFRESH_SECONDS
    spread = (advisory - mandatory) / 2  # the jitter moves the advisory point by up to half the window

    assert all(mandatory + spread <= w.advisory <= advisory and w.mandatory == mandatory for w in windows)
    first_refresh = sorted(times[1] for times in fetched)
    # Spread over (nearly) the whole jitter range rather than bunched in one second...
    assert first_refresh[-1] - first_refresh[0] >= 0.9 * spread
    # ...so STS sees a handful of calls a second instead of the whole fleet at once.
    assert peak_per_second(fetched, after=0) <= CONTAINERS * STEP / spread * 2.5
    # Every refresh happened with the old keys still valid beyond the mandatory window:
    # a background refresh that may fail and be retried, never a blocking one.
    for times in fetched:
        for assumed, refreshed in zip(times, times[1:]):
            assert DURATION - (refreshed - assumed) > mandatory


@pytest.mark.parametrize("duration", [900, 1800, 3600, 43200])
@pytest.mark.parametrize("jitter", [0.0, 0.5, 0.999999])
def test_windows_stay_inside_botocores_and_above_the_mandatory_point(duration, jitter):
    windows = parent_access.refresh_windows(duration, jitter)
    advisory = min(parent_access.ADVISORY_REFRESH_SECONDS, duration // 3)
    mandatory = min(parent_access.MANDATORY_REFRESH_SECONDS, duration // 5)
    assert windows.mandatory == mandatory
    assert mandatory + (advisory - mandatory) / 2 <= windows.advisory <= advisory
    assert windows.advisory == advisory if jitter == 0.0 else windows.advisory < advisory
