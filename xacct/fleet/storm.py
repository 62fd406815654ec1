"""The storm run, on a simulated clock: when does a fleet started together refresh its keys?

The invoker takes an injected clock (parent_access.build). All containers cold-start inside
the first simulated second, then every container is busy: each simulated second it starts an
invocation, of which the credential check (ParentAccess.ensure_fresh, the first thing every
invocation does, and the only part that reads the clock) runs every second and the whole
invocation, InvokeEndpoint included, every ``invoke_every`` seconds. The emulator issues keys
valid for the session's duration in real time; their Expiration is moved onto the simulated
clock (same remaining lifetime), so the keys stay valid for the emulator while the containers
see them age. The emulator's rate limits meter real time, so they are lifted in this run: it
counts when refreshes are offered, not how STS answers them.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from xacct.fleet.containers import Context, StsMeter, load_container

COLD_PERIOD_SECONDS = 60  # the storm is counted after the cold start


class SimClock:
    def __init__(self, start: dt.datetime):
        self.start = self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def seconds(self) -> float:
        return (self.now - self.start).total_seconds()


@dataclass
class StormResult:
    assume_role_per_second: dict[int, int]  # simulated second -> AssumeRole attempts
    invocations: int
    failures: int
    refresh_spread_seconds: float  # first to last refresh of the first cycle
    peak_at_refresh: int


def run(package_dir: Path, event: dict, containers: int, hours: float, invoke_every: int, jitter: bool,
        seed: int, timeout_seconds: float) -> StormResult:
    rng = random.Random(seed)
    clock = SimClock(dt.datetime.now(dt.timezone.utc))

    def shift(expiration: dt.datetime) -> dt.datetime:
        return clock.now + (expiration - dt.datetime.now(dt.timezone.utc))

    meter = StsMeter(containers, clock.seconds, shift_expiry=shift)
    handlers = [load_container(package_dir) for _ in range(containers)]
    jitters = [rng.random() if jitter else 0.0 for _ in range(containers)]
    access_fors = [functools.lru_cache(maxsize=1)(
        functools.partial(lambda h, j, cfg: h.parent_access.build(cfg, clock=clock, jitter=lambda: j), h, j))
        for h, j in zip(handlers, jitters)]
    offsets = sorted((rng.random(), i) for i in range(containers))
    phases = [rng.randrange(invoke_every) for _ in range(containers)]
    invocations = failures = 0
    accesses = [None] * containers

    def invoke(i: int) -> None:
        nonlocal invocations, failures
        meter.current = i
        answer = handlers[i].handle(event, Context(f"storm-{i}", timeout_seconds, lambda: clock.seconds()),
                                    access_fors[i])
        invocations += 1
        failures += answer.get("statusCode") != 200
        if accesses[i] is None:
            accesses[i] = access_fors[i](handlers[i].config.get_config())

    with meter.installed():
        for offset, i in offsets:  # the cold burst
            clock.now = clock.start + dt.timedelta(seconds=offset)
            invoke(i)
        for tick in range(1, int(hours * 3600)):
            clock.now = clock.start + dt.timedelta(seconds=tick)
            for i in range(containers):
                if tick % invoke_every == phases[i]:
                    invoke(i)
                else:
                    meter.current = i
                    accesses[i].ensure_fresh()
    per_second = Counter(int(t) for t, _ in meter.sent)
    refreshes = sorted(t for t, _ in meter.sent if t >= COLD_PERIOD_SECONDS)
    first_cycle = [t for t in refreshes if refreshes and t < refreshes[0] + 1800]
    return StormResult(
        assume_role_per_second=dict(sorted(per_second.items())), invocations=invocations, failures=failures,
        refresh_spread_seconds=round(first_cycle[-1] - first_cycle[0], 1) if first_cycle else 0.0,
        peak_at_refresh=max((n for s, n in per_second.items() if s >= COLD_PERIOD_SECONDS), default=0))
