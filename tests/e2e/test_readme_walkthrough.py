"""The README's per-account walkthrough runs as written, in order, on the emulator it starts.

The marked blocks (`<!-- run: walkthrough -->`) are executed by one bash in a copy of the
examples, with the project's console scripts, Terraform toolchain and the AWS CLI on PATH.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests import readme_flows
from xacct.paths import EXAMPLES_DIR, MODULES_DIR, PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_the_per_account_walkthrough_runs_as_written(tmp_path):
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "xacct-terraform").exists():
        pytest.skip("the console scripts are not installed: pip install -e . (make setup does it)")
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    if shutil.which("aws", path=path) is None:
        pytest.skip("the walkthrough invokes with the AWS CLI: pip install awscli")
    shutil.copytree(EXAMPLES_DIR, tmp_path / "examples", ignore=shutil.ignore_patterns(
        ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*_override.tf*"))
    (tmp_path / "modules").symlink_to(MODULES_DIR, target_is_directory=True)
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AWS_", "XACCT_EMULATOR"))}  # only what the README sets
    env["PATH"] = path
    blocks = readme_flows.extract((PROJECT_ROOT / "README.md").read_text(), "walkthrough")
    started = time.monotonic()
    readme_flows.run(blocks, tmp_path, env)
    print(f"\nper-account walkthrough on the emulator: {time.monotonic() - started:.0f} s")
    assert not (tmp_path / "examples" / "child-account" / "xacct_override.tf.json").exists()
