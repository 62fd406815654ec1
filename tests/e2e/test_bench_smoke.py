"""`make bench` keeps working: a tiny run with every phase, its counts checked (timings are not)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_benchmark_runs_and_counts_what_it_claims(tmp_path):
    result = subprocess.run([sys.executable, "-m", "xacct.bench", "--n", "5", "--warmup", "1", "--cold-runs", "1",
                             "--out", str(tmp_path)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (tmp_path / "results.png").stat().st_size > 0
    results = json.loads((tmp_path / "results.json").read_text())
    variants = results["variants"]
    assert variants["seed"]["assume_role_calls"] == 5 and variants["seed"]["clients_created"] == 10
    assert variants["ours"]["assume_role_calls"] == 0 and variants["ours"]["clients_created"] == 0
    assert results["counts"]["measured_assume_role_hooks"] == results["counts"]["measured_assume_role_journal"]
    assert results["package"]["only_handler_py"] and not results["package"]["boto_packaged"]
    assert "targets (reported, not asserted)" in result.stdout
