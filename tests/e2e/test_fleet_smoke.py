"""`make bench-fleet` keeps working: a 10-container run of both variants, its counts checked (never timings)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e

CONTAINERS = 10


def test_fleet_simulator_completes_and_counts_consistently(tmp_path):
    result = subprocess.run([sys.executable, "-m", "xacct.fleet", "--containers", str(CONTAINERS), "--steady-rps", "5",
                             "--steady-seconds", "2", "--hours", "1", "--out", str(tmp_path)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "fleet.png").stat().st_size > 0
    results = json.loads((tmp_path / "fleet.json").read_text())
    assert set(results["burst"]) == set(results["storm"]) == {"before", "after"}
    for variant, summary in results["burst"].items():
        invocations = results["invocations"][variant]
        assert summary["invocations"] == len(invocations)
        assert summary["cold"]["count"] == CONTAINERS, "every container starts cold exactly once"
        assert sorted({r["container"] for r in invocations if r["kind"] == "cold"}) == list(range(CONTAINERS))
        assert summary["succeeded"] == sum(r["ok"] for r in invocations)
        assert summary["succeeded"] + sum(summary["failures"].values()) == summary["invocations"]
        per_container = summary["assume_role_per_container"]
        assert per_container["min"] >= 1, "every container assumed the role at least once"
        # Every attempt the containers sent is one the emulator journalled (throttled or decided).
        assert per_container["total"] == summary["assume_role_journalled"]
        assert summary["throttles"]["sts:AssumeRole"] <= per_container["total"]
    for variant, summary in results["storm"].items():
        per_second = results["assume_role_per_simulated_second"][variant]
        assert summary["assume_role_total"] == sum(per_second.values())
        # One hour of 3600 s sessions: the cold start and one refresh per container.
        assert summary["assume_role_total"] == 2 * CONTAINERS
        assert summary["failures"] == 0 and summary["invocations"] >= CONTAINERS
    assert "peak AssumeRole/s at the hourly refresh" in result.stdout
