"""Nothing is left behind: not after a failed assertion, not silently after a failed
destroy, not after Ctrl-C in the middle of an apply."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.helpers import ROOTS, leftovers
from xacct.paths import PROJECT_ROOT
from xacct.staging import LeftoverResources, StagedRoot

pytestmark = pytest.mark.e2e

PREVENT_DESTROY = ROOTS / "policy-probe-overrides" / "prevent_destroy_override.tf"


def _policy_root(target, name: str, prevent_destroy: bool = False) -> StagedRoot:
    root = StagedRoot.folder(ROOTS / "policy-probe", override=target.provider_override({"": "child"}))
    root.set_vars({"name": name})
    if prevent_destroy:
        shutil.copy(PREVENT_DESTROY, root.dir)
    return root


def test_a_failing_assertion_still_destroys(target, run_prefix):
    name = f"{run_prefix}f-assertion"
    with pytest.raises(AssertionError, match="the test's own failure"):
        with _policy_root(target, name) as root:
            root.init()
            root.apply()
            assert target.client("iam", "child").list_policies(Scope="Local")["Policies"]
            raise AssertionError("the test's own failure")
    assert not leftovers(target, name)


def test_a_failed_destroy_fails_loudly_and_names_what_is_left(target, run_prefix):
    name = f"{run_prefix}f-stuck"
    root = _policy_root(target, name, prevent_destroy=True)
    try:
        root.init()
        root.apply()
        with pytest.raises(LeftoverResources, match=r"still in the state: aws_iam_policy\.probe"):
            root.destroy()
    finally:
        (root.dir / PREVENT_DESTROY.name).unlink()
        root.close()
    assert not leftovers(target, name)


def test_ctrl_c_during_apply_leaves_no_process_port_or_folder(tmp_path):
    """The demo is interrupted the way a terminal does it: SIGINT to its process group."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen([sys.executable, "-m", "xacct.demo"], cwd=PROJECT_ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    output, port = [], None
    try:
        for line in demo.stdout:
            output.append(line)
            if match := re.search(r"emulator at http://127\.0\.0\.1:(\d+)", line):
                port = int(match.group(1))
            if "terraform apply" in line:
                time.sleep(2)  # well inside the apply, which takes several seconds
                os.killpg(demo.pid, signal.SIGINT)
                break
        output.append(demo.communicate(timeout=240)[0])
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    text = "".join(output)
    assert demo.returncode == 130, text
    assert "interrupted: everything created was destroyed" in text, text
    assert port is not None, text
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open:\n{text}"
    # A process the demo signalled may still be exiting on a loaded machine: give it a moment.
    deadline = time.monotonic() + 15
    while (stray := subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.strip()) \
            and time.monotonic() < deadline:
        time.sleep(0.5)
    details = subprocess.run(["ps", "-o", "pid,args", "-p", stray.replace("\n", ",")], capture_output=True,
                             text=True).stdout if stray else ""
    assert not stray, f"processes still running from the interrupted demo: {stray}\n{details}"
    assert not list(Path(tmp_path).iterdir()), f"left in the temporary folder: {list(Path(tmp_path).iterdir())}"
