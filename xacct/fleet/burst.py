"""The burst run, in real time: N cold containers within one second, then steady traffic.

Every container runs in its own thread. Building its botocore clients takes a container tens
of milliseconds of CPU, which N containers on the simulator's two cores would spread over
many seconds (on Lambda each has its own). So each container is held just before its first
AssumeRole attempt until all N are there, then released at its arrival time inside one
second; its cold latency is its own CPU time up to that point plus the wall time from its
release to its answer, and its deadline is moved on by the time it was held. Warm latency
is plain wall time.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from xacct.fleet.containers import Context, StsMeter, load_container

HOLD_TIMEOUT_SECONDS = 300


class ArrivalGate:
    """Holds each container before its first AssumeRole until all have arrived, then releases it at its offset."""

    def __init__(self, offsets: list[float]):
        self.offsets = offsets
        self.start: float | None = None
        self.cpu_before: dict[int, float] = {}
        self.released: dict[int, float] = {}
        self._arrived = 0
        self._cond = threading.Condition()

    def _arrive(self) -> None:
        with self._cond:
            self._arrived += 1
            if self._arrived == len(self.offsets):
                self.start = time.monotonic() + 0.05
                self._cond.notify_all()

    def hold(self, container: int, cpu_started: float) -> None:
        self.cpu_before[container] = time.thread_time() - cpu_started
        self._arrive()
        with self._cond:
            self._cond.wait_for(lambda: self.start is not None, timeout=HOLD_TIMEOUT_SECONDS)
        release = (self.start or time.monotonic()) + self.offsets[container]
        time.sleep(max(0.0, release - time.monotonic()))
        self.released[container] = release

    def passed_without_holding(self) -> None:
        """A container whose cold invocation ended before any AssumeRole (it then never holds)."""
        self._arrive()


@dataclass
class BurstResult:
    invocations: list[dict] = field(default_factory=list)  # one per invocation
    assume_role_attempts: list[int] = field(default_factory=list)  # per container
    assume_role_sent: list[float] = field(default_factory=list)  # seconds after the burst's start


def run(package_dir: Path, event: dict, containers: int, steady_rps: float, steady_seconds: float,
        timeout_seconds: float, seed: int, before: bool, retry_mode: str | None = None) -> BurstResult:
    rng = random.Random(seed)
    offsets = [rng.random() for _ in range(containers)]  # all cold starts inside one second
    per_container = steady_rps / containers
    schedules = []
    for _ in range(containers):  # Poisson arrivals, 1 s after the burst, for steady_seconds
        at, times = 1.0, []
        while per_container > 0:
            at += rng.expovariate(per_container)
            if at >= 1.0 + steady_seconds:
                break
            times.append(at)
        schedules.append(times)

    gate = ArrivalGate(offsets)
    cpu_started: dict[int, float] = {}
    handlers = [load_container(package_dir, without_throttle_retry=before) for _ in range(containers)]

    def hold(container: int) -> None:
        held_from = time.monotonic()
        gate.hold(container, cpu_started[container])
        # Waiting for the others is the simulator's doing, not the invocation's: its deadline
        # (which throttled retries read) moves on by the time held.
        handler = handlers[container]
        deadline = handler.parent_access.for_config(handler.config.get_config()).deadline
        if deadline.at is not None:
            deadline.at += time.monotonic() - held_from

    meter = StsMeter(containers, time.monotonic, on_first_send=hold, retry_mode=retry_mode)
    records: list[dict] = []
    lock = threading.Lock()

    def record(container: int, kind: int, at: float, latency: float, answer: dict) -> None:
        error = answer.get("error", {})
        with lock:
            records.append({"container": container, "kind": kind, "t": round(at, 4), "latency_ms": round(latency * 1000, 2),
                            "ok": answer.get("statusCode") == 200, "code": error.get("code"), "stage": error.get("stage")})

    def container_main(i: int) -> None:
        meter.local.container = i
        handler = handlers[i]
        cpu_started[i] = time.thread_time()
        answer = handler.lambda_handler(event, Context(f"fleet-{i}-0", timeout_seconds, time.monotonic))
        ended = time.monotonic()
        if i in gate.released:
            record(i, "cold", gate.released[i] - gate.start, gate.cpu_before[i] + ended - gate.released[i], answer)
        else:
            gate.passed_without_holding()
            record(i, "cold", ended - (gate.start or ended), time.thread_time() - cpu_started[i], answer)
        with gate._cond:
            gate._cond.wait_for(lambda: gate.start is not None, timeout=HOLD_TIMEOUT_SECONDS)
        for n, at in enumerate(schedules[i], start=1):
            time.sleep(max(0.0, gate.start + at - time.monotonic()))
            started = time.monotonic()
            answer = handler.lambda_handler(event, Context(f"fleet-{i}-{n}", timeout_seconds, time.monotonic))
            record(i, "warm", started - gate.start, time.monotonic() - started, answer)

    with meter.installed():
        threads = [threading.Thread(target=container_main, args=(i,), name=f"container-{i}", daemon=True)
                   for i in range(containers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    start = gate.start or 0.0
    return BurstResult(invocations=sorted(records, key=lambda r: r["t"]), assume_role_attempts=meter.attempts,
                       assume_role_sent=sorted(t - start for t, _ in meter.sent))
