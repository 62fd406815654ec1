"""The handler's Python floor, as lambda_src/README.md states it, is checked with vermin.

vermin reads the source and reports the lowest Python version that has every syntax feature,
module and function the code uses. The README's claim must be at least that; a seeded file
using ``except*`` (new in Python 3.11: "What's New In Python 3.11", PEP 654) shows the check
fails when the code outgrows the claim.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

pytest.importorskip("vermin", reason="vermin is not installed; the test dependencies pin vermin==1.9.2")

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
CLAIM = re.compile(r"Runtime: Python (\d+)\.(\d+) or newer")


def claimed_minimum() -> tuple:
    match = CLAIM.search((LAMBDA_SRC / "README.md").read_text())
    assert match, "lambda_src/README.md no longer states 'Runtime: Python X.Y or newer'"
    return int(match[1]), int(match[2])


def vermin_minimum(path: Path) -> tuple:
    """The lowest Python 3 version vermin finds ``path`` needs."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys, vermin; sys.exit(vermin.main())",
         "--no-tips", "--eval-annotations", "--no-make-paths-absolute", str(path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = re.search(r"^Minimum required versions: (.*)$", result.stdout, re.MULTILINE)
    assert line, result.stdout
    (major, minor), = re.findall(r"\b(3)\.(\d+)\b", line[1])
    return int(major), int(minor)


def test_the_handler_needs_no_newer_python_than_the_readme_claims():
    assert vermin_minimum(LAMBDA_SRC) <= claimed_minimum()


def test_the_check_fails_on_code_that_needs_a_newer_python(tmp_path):
    seeded = tmp_path / "newer.py"
    seeded.write_text(
        "def handle(run):\n"
        "    try:\n"
        "        run()\n"
        "    except* ValueError:\n"
        "        pass\n"
    )
    assert vermin_minimum(seeded) == (3, 11)
    assert not vermin_minimum(seeded) <= claimed_minimum()
