"""Shared fixtures: the project's Terraform toolchain on PATH, and one target (the emulator,
or real AWS with XACCT_TARGET=aws) per session."""

from __future__ import annotations

import os
import uuid

import pytest

from xacct import botocore_models, toolchain
from xacct.emulator.client import EmulatorProcess
from xacct.targets import AwsTarget, EmulatorOnly, TargetError, resolve_target

try:
    TARGET = resolve_target()
except TargetError as error:  # reported by pytest_configure before anything runs
    TARGET, TARGET_ERROR = None, str(error)
else:
    TARGET_ERROR = None

# The offline provider (hashicorp/aws 3.39) accepts Lambda runtimes up to python3.8; real
# AWS needs a current one (and TF_PROVIDERS=registry for a provider that knows it).
TEST_RUNTIME = "python3.8" if TARGET is None or TARGET.kind == "emulator" else os.environ.get("XACCT_LAMBDA_RUNTIME", "python3.12")
# The whole suite can run against an emulator whose IAM changes lag (xacct/emulator/iam_propagation.py),
# as real IAM's can; the propagation lane (tests/e2e/test_propagation.py) always does.
EMULATOR_IAM_PROPAGATION_ENV = "XACCT_EMULATOR_IAM_PROPAGATION_SECONDS"
# On the emulator any image name will do: its endpoints echo whatever they are sent.
DEMO_MODEL_IMAGE = TARGET.demo_model_image if TARGET and TARGET.kind == "aws" else "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1"


def pytest_configure(config) -> None:
    """Every Terraform run in the tests uses the project's toolchain (see `make toolchain`)."""
    os.environ["PATH"] = f"{toolchain.BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["TF_CLI_CONFIG_FILE"] = str(toolchain.CLI_CONFIG)
    os.environ["CHECKPOINT_DISABLE"] = "1"
    os.environ.setdefault("TF_IN_AUTOMATION", "1")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        # Terraform rewrites a cached provider binary when a root has no lock file yet, and a
        # binary another worker's Terraform is running cannot be rewritten ("text file busy"):
        # each parallel worker keeps a plugin cache of its own.
        os.environ["TF_PLUGIN_CACHE_DIR"] = str(toolchain.PLUGIN_CACHE.with_name(f"plugin-cache-{worker}"))
        os.makedirs(os.environ["TF_PLUGIN_CACHE_DIR"], exist_ok=True)
    if TARGET_ERROR:
        pytest.exit(f"cannot run the suite: {TARGET_ERROR}", returncode=4)


# A check that needs the emulator's hooks is skipped on real AWS, saying which hook.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    try:
        return (yield)
    except EmulatorOnly as missing:
        pytest.skip(str(missing))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except EmulatorOnly as missing:
        pytest.skip(str(missing))


@pytest.fixture(scope="session", autouse=True)
def botocore_models_parsed_once():
    """Tests build the invoker's sessions afresh, as a cold container does, hundreds of times:
    they share botocore's parsed model files instead of re-reading them each time (xacct/botocore_models.py)."""
    with botocore_models.parsed_once():
        yield


@pytest.fixture(scope="session")
def target():
    """The accounts under test: the local emulator, or real AWS with XACCT_TARGET=aws."""
    if TARGET.kind == "aws":
        try:
            aws = AwsTarget(TARGET)
        except TargetError as error:  # no usable credentials: stop before any apply
            pytest.exit(f"cannot run against AWS: {error}", returncode=4)
        yield aws
        return
    with EmulatorProcess(iam_propagation_seconds=float(os.environ.get(EMULATOR_IAM_PROPAGATION_ENV) or 0)) as emu:
        yield emu


@pytest.fixture(scope="session")
def run_prefix() -> str:
    """Unique per run, so leftovers of one run never collide with the next."""
    return f"t{uuid.uuid4().hex[:6]}-"


@pytest.fixture(scope="session")
def run_tags(run_prefix) -> dict[str, str]:
    """On every resource a run creates, so a leftover can be traced to its run."""
    return {"xacct-test-run": run_prefix.rstrip("-"), "xacct-managed-by": "tests"}
