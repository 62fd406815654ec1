"""The provider floor in versions.tf is real, and offline runs relax it only in staged copies.

Terraform, "Override Files" (Merging terraform blocks): `required_providers` is merged
provider by provider, and an override's constraint replaces the original's.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from xacct import provider_floor, toolchain
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.plan


def test_the_override_goes_where_hashicorp_aws_is_required_and_nowhere_else(tmp_path):
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "versions.tf").write_text(
        'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ">= 5.32.0"\n    }\n  }\n}\n')
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "main.tf").write_text('locals {\n  x = 1\n}\n')
    written = provider_floor.relax(tmp_path, mode="mirror")
    assert written == [tmp_path / "module" / provider_floor.OVERRIDE_NAME]
    assert json.loads(written[0].read_text()) == {"terraform": {"required_providers": {
        "aws": {"source": "hashicorp/aws", "version": toolchain.PROVIDER_VERSION}}}}


def test_registry_mode_keeps_the_stated_floor(tmp_path):
    shutil.copytree(PROJECT_ROOT / "modules", tmp_path / "modules")
    assert provider_floor.relax(tmp_path, mode="registry") == []
    assert not list(tmp_path.rglob("*_override.tf*"))


def test_the_project_itself_carries_no_override():
    tracked = subprocess.run(["git", "ls-files", "modules", "examples"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True).stdout.split()
    assert tracked and not [f for f in tracked if "_override.tf" in f]


@pytest.mark.skipif(toolchain.provider_mode() != "mirror", reason="only the offline mirror lacks the stated floor")
def test_the_child_floor_is_above_the_mirrored_provider_and_the_override_admits_it(tmp_path):
    shutil.copytree(PROJECT_ROOT / "modules", tmp_path / "modules",
                    ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    child = tmp_path / "modules" / "child"

    def init() -> subprocess.CompletedProcess:
        return subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"],
                              cwd=child, capture_output=True, text=True)

    refused = init()
    assert refused.returncode != 0
    assert "no available releases match the given constraints" in refused.stdout + refused.stderr
    assert ">= 5.32.0" in refused.stdout + refused.stderr
    provider_floor.relax(tmp_path)
    accepted = init()
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
