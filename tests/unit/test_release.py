"""The version lives in pyproject.toml; everything that names it agrees, and every
`?ref=` a usage snippet pins is a release the CHANGELOG lists (Keep a Changelog 1.1.0)."""

from __future__ import annotations

import re
import tomllib

import pytest

from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", re.M)
REF = re.compile(r"\?ref=v(\d+\.\d+\.\d+)")


def project_version() -> str:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]


def released(changelog: str) -> list[str]:
    return RELEASE_HEADING.findall(changelog)


def pinned_refs(*texts: str) -> set[str]:
    return {version for text in texts for version in REF.findall(text)}


def test_the_lambda_reports_the_project_version():
    init = (PROJECT_ROOT / "lambda_src" / "sagemaker_invoker" / "__init__.py").read_text()
    assert re.search(r'^__version__ = "([^"]+)"$', init, re.M).group(1) == project_version()


def test_the_changelog_has_unreleased_and_the_current_version():
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in changelog
    assert project_version() in released(changelog)
    for version in ["Unreleased", *released(changelog)]:
        assert re.search(rf"^\[{re.escape(version)}\]: \S+$", changelog, re.M), f"no link for [{version}]"


def test_every_pinned_ref_is_a_listed_release():
    changelog = (PROJECT_ROOT / "CHANGELOG.md").read_text()
    docs = [p.read_text() for p in [PROJECT_ROOT / "README.md", *PROJECT_ROOT.glob("modules/*/README.md")]]
    refs = pinned_refs(*docs)
    assert refs, "no usage snippet pins a ?ref= version"
    assert refs <= set(released(changelog)), f"pinned but not released: {sorted(refs - set(released(changelog)))}"


def test_the_checks_catch_a_seeded_unlisted_ref():
    changelog = "## [Unreleased]\n\n## [0.1.0] - 2026-11-29\n"
    snippet = 'source = "git::https://example.com/x.git//modules/parent?ref=v0.2.0"'
    assert not pinned_refs(snippet) <= set(released(changelog))
