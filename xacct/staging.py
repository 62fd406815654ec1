"""Run a Terraform root in a throw-away copy, against the emulator, and always tear it down.

A root (an example, or a generated fixture) is copied into a temporary folder beside a
copy of `modules/`, so relative module sources resolve and no state, lock file or
`.terraform` folder lands in the project. Emulator runs add a generated
`*_override.tf.json` (see xacct/provider_override.py), and offline runs a provider-floor
override (xacct/provider_floor.py): the root itself stays what a user would apply to real
accounts.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import tftest

from xacct import provider_floor, provider_override
from xacct.paths import EXAMPLES_DIR, MODULES_DIR, PROJECT_ROOT
from xacct.toolchain import guard_provider

DESTROY_ATTEMPTS = 3


class LeftoverResources(RuntimeError):
    """Destroy failed; the message lists what is still in the state."""


@contextlib.contextmanager
def interrupts_held():
    """A Ctrl-C (SIGINT) that arrives inside is raised only on the way out.

    Removing a staged folder takes a moment; an interrupt in the middle (a second Ctrl-C,
    or the first one arriving as cleanup starts) would leave it half removed. Signal
    handlers belong to the main thread, so elsewhere this holds nothing back.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


class StagedRoot:
    def __init__(self, source: Path | None = None, files: dict[str, str] | None = None,
                 relative_dir: str = "root", override: str | None = None, workdir: str | None = None):
        """Stage `source` (a folder in the project) or `files` (name -> text) at `relative_dir`.

        `relative_dir` is where the copy sits relative to the staged `modules/` link's
        parent, so "examples/two-accounts" keeps `../../modules/...` sources working.
        `workdir` (default: `relative_dir`) is the root Terraform runs in.
        """
        self._tmp = Path(tempfile.mkdtemp(prefix="xacct-tf-"))
        self._copy = self._tmp / relative_dir
        self.dir = self._tmp / (workdir or relative_dir)
        self.applied = False
        try:
            self._lay_out(source, files or {}, override)
        except BaseException:
            with interrupts_held():
                shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        # Terraform's own scratch files (provider plugin sockets, which an interrupted run
        # can leave behind) go inside the staged folder, so close() removes them too.
        scratch = self._tmp / ".scratch"
        scratch.mkdir()
        self.tf = tftest.TerraformTest(str(self.dir), env={"TMPDIR": str(scratch)})

    def _lay_out(self, source: Path | None, files: dict[str, str], override: str | None) -> None:
        # A copy, not a link: the provider floor is relaxed in it without touching the project.
        shutil.copytree(MODULES_DIR, self._tmp / "modules", ignore=shutil.ignore_patterns(
            ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*_override.tf", "*_override.tf.json"))
        if source is not None:
            shutil.copytree(source, self._copy, ignore=shutil.ignore_patterns(
                ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*_override.tf", "*_override.tf.json", "*.auto.tfvars.json"))
        else:
            self._copy.mkdir(parents=True)
        for name, text in files.items():
            (self.dir / name).write_text(text)
        if override:
            (self.dir / provider_override.FILE_NAME).write_text(override)
        provider_floor.relax(self._tmp)

    @classmethod
    def example(cls, name: str, override: str | None = None) -> "StagedRoot":
        """All examples are copied, so one may use another's submodule (../two-accounts/demo-endpoint)."""
        return cls(EXAMPLES_DIR, relative_dir="examples", workdir=f"examples/{name}", override=override)

    @classmethod
    def folder(cls, path: Path, override: str | None = None) -> "StagedRoot":
        """A root folder of the project (say tests/e2e/roots/x), staged at the same relative
        place, so its `../../../../modules/...` sources resolve as they do in the checkout."""
        relative = str(Path(path).resolve().relative_to(PROJECT_ROOT))
        return cls(Path(path), relative_dir=relative, override=override)

    def set_vars(self, variables: dict) -> None:
        (self.dir / "run.auto.tfvars.json").write_text(json.dumps(variables, indent=2))

    def init(self) -> None:
        guard_provider(self.dir)  # refuse a foreign provider; pin the verified one in a lock file
        self.tf.setup(cleanup_on_exit=False, upgrade=False)

    def plan(self, **kw):
        return self.tf.plan(output=True, **kw)

    def plan_text(self, *args: str) -> tftest.TerraformCommandOutput:
        return self.tf.execute_command("plan", "-input=false", "-no-color", *args)

    def apply(self) -> None:
        self.applied = True  # a partial apply leaves resources too: destroy regardless
        self.tf.apply()

    def outputs(self) -> dict:
        """Output values by name (sensitive ones included)."""
        outputs = self.tf.output()
        return {name: outputs[name] for name in outputs}

    def state_list(self) -> list[str]:
        try:
            result = self.tf.execute_command("state", "list")
        except tftest.TerraformTestError as error:
            if "No state file was found" in str(error):  # interrupted before anything was recorded
                return []
            raise
        return [line for line in result.out.splitlines() if line.strip()]

    def destroy(self) -> None:
        """Destroy, retrying transient failures; raise naming what is left if it cannot."""
        error: Exception | None = None
        for _ in range(DESTROY_ATTEMPTS):
            try:
                # An interrupted apply may still be shutting down and holding the state lock.
                self.tf.execute_command("destroy", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=120s")
                error = None
                break
            except tftest.TerraformTestError as failure:
                error = failure
        left = self.state_list()
        if error is not None or left:
            raise LeftoverResources(
                f"destroy of {self.dir.name} failed; still in the state: {', '.join(left) or 'nothing'}"
                + (f"\n{error}" if error else ""))

    def close(self) -> None:
        """Destroy what was applied (if anything), then remove the staged copy."""
        try:
            if self.applied:
                self.destroy()
        finally:
            with interrupts_held():
                shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> "StagedRoot":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
