"""The hash-locked requirements match pyproject.toml and requirements/*.in (`make lock`)."""

from __future__ import annotations

import pytest

from xacct.checks import python_lock

pytestmark = pytest.mark.unit

PROJECT_LOCK = python_lock.REQUIREMENTS / "project.txt"
PYPROJECT = python_lock.PROJECT_ROOT / "pyproject.toml"
BUILD_IN = python_lock.REQUIREMENTS / "build.in"
PYPROJECT_LABEL = "sagemaker-cross-account (pyproject.toml)"


def check(pyproject_text: str, lock_text: str) -> list[str]:
    inputs = [(PYPROJECT_LABEL, "pyproject.toml", python_lock.pyproject_requirements(pyproject_text)),
              ("-r requirements/build.in", "requirements/build.in", python_lock.requirements_in(BUILD_IN.read_text()))]
    return python_lock.mismatches("project.txt", lock_text, inputs)


def test_locks_are_in_step():
    assert python_lock.problems() == []


def test_every_locked_package_is_hashed_and_the_tools_are_locked():
    locked = python_lock.parse_lock(PROJECT_LOCK.read_text())
    assert len(locked) > 50, "the lock holds the whole environment, transitive packages included"
    for name in ("parliament", "vermin", "pytest", "setuptools", "boto3"):
        assert name in locked and locked[name].hashed, name
    assert "checkov" in python_lock.parse_lock((python_lock.REQUIREMENTS / "checkov.txt").read_text())


def test_a_version_bumped_in_pyproject_is_reported():
    pyproject = PYPROJECT.read_text().replace('"pytest==9.2.0"', '"pytest==9.2.1"')
    assert check(pyproject, PROJECT_LOCK.read_text()) == [
        "project.txt: pytest==9.2.0 does not satisfy `pytest==9.2.1` in pyproject.toml; run `make lock`"]


def test_a_new_unlocked_or_unpinned_dependency_is_reported():
    pyproject = PYPROJECT.read_text().replace('"vermin==1.9.2",', '"vermin==1.9.2",\n  "policy-sentry",')
    assert check(pyproject, PROJECT_LOCK.read_text()) == [
        "pyproject.toml: policy-sentry is not pinned with ==; the project pins its direct dependencies",
        "project.txt: policy-sentry (required by pyproject.toml) is not locked; run `make lock`"]


def test_a_dependency_removed_from_pyproject_is_reported():
    pyproject = PYPROJECT.read_text().replace('"vermin==1.9.2",', "")
    assert check(pyproject, PROJECT_LOCK.read_text()) == [
        "project.txt: vermin is locked for pyproject.toml, which no longer requires it; run `make lock`"]


def test_an_entry_without_hashes_is_reported():
    lock = PROJECT_LOCK.read_text().replace("vermin==1.9.2 \\\n", "vermin==1.9.2\n    # ", 1)
    assert check(PYPROJECT.read_text(), lock) == [
        "project.txt: vermin has no --hash; `pip install --require-hashes` would refuse it"]
