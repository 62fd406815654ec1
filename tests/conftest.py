"""Shared fixtures: the project's Terraform toolchain on PATH, and one emulator per session."""

from __future__ import annotations

import os
import uuid

import pytest

from xacct import toolchain
from xacct.emulator.client import EmulatorProcess

# Lambda runtime the offline provider (hashicorp/aws 3.39) accepts; the modules default to a
# current one, which real AWS requires.
TEST_RUNTIME = "python3.8"


def pytest_configure(config) -> None:
    """Every Terraform run in the tests uses the project's toolchain (see `make toolchain`)."""
    os.environ["PATH"] = f"{toolchain.BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}"
    os.environ["TF_CLI_CONFIG_FILE"] = str(toolchain.CLI_CONFIG)
    os.environ["CHECKPOINT_DISABLE"] = "1"
    os.environ.setdefault("TF_IN_AUTOMATION", "1")


@pytest.fixture(scope="session")
def emulator():
    with EmulatorProcess() as emu:
        yield emu


@pytest.fixture(scope="session")
def run_prefix() -> str:
    """Unique per run, so leftovers of one run never collide with the next."""
    return f"t{uuid.uuid4().hex[:6]}-"
