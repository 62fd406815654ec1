"""The e2e suites' own roots are real Terraform: fmt-clean and valid, like the examples.

(Terraform inside Python strings escaped both checks; now it lives in tests/e2e/roots/ and
tests/fixtures/.) The outside root's module sources are filled in at run time, so it is
checked for format only.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import tftest

from tests.e2e.helpers import ROOTS
from xacct.paths import MODULES_DIR, PROJECT_ROOT, TESTS_DIR

pytestmark = pytest.mark.plan

FORMATTED = [ROOTS, TESTS_DIR / "fixtures"]
VALIDATED = sorted(p.parent.name for p in ROOTS.glob("*/versions.tf"))


def fmt_check(*folders: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", *map(str, folders)],
                          capture_output=True, text=True)


def test_the_roots_are_fmt_clean():
    result = fmt_check(*FORMATTED)
    assert result.returncode == 0, f"run `terraform fmt -recursive tests`:\n{result.stdout}{result.stderr}"


def test_fmt_check_fails_on_a_seeded_misformat(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  x="unaligned"\n}\n')
    assert fmt_check(tmp_path).returncode != 0


@pytest.mark.parametrize("name", VALIDATED)
def test_each_root_validates(name, tmp_path):
    # Staged where its ../../../../modules sources resolve, as xacct.staging does for a run.
    relative = (ROOTS / name).relative_to(PROJECT_ROOT)
    shutil.copytree(ROOTS / name, tmp_path / relative, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (tmp_path / "modules").symlink_to(MODULES_DIR, target_is_directory=True)
    tf = tftest.TerraformTest(str(tmp_path / relative))
    tf.setup(cleanup_on_exit=False, backend=False)
    result = tf.execute_command("validate", "-no-color")
    assert "Success!" in result.out, result.out + result.err


def test_validate_covers_every_root():
    assert set(VALIDATED) == {"grant-only-consumer", "policy-probe", "trust-conditions"}
