"""`terraform init` in a staged example takes hashicorp/aws 3.39.0 as HashiCorp built it, or
nothing: a binary swapped in the plugin cache and a higher-version zip planted in the mirror
are both refused.

Terraform documents the mechanism ("Dependency Lock File"): a lock file pins the exact
version and the package checksums, and Terraform reuses a plugin-cache entry only when it
matches them ("CLI Configuration File": `plugin_cache_may_break_dependency_lock_file`).
The project's toolchain adds its own refusal before Terraform starts. Each test runs against
a private copy of the toolchain, so the shared one is never altered.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from xacct import provider_floor, toolchain
from xacct.staging import StagedRoot

pytestmark = pytest.mark.plan

EXAMPLE = "two-accounts"


def fake_provider(marker: Path) -> str:
    """A stand-in binary that leaves `marker` behind if anything ever runs it."""
    return f"#!/bin/sh\ntouch '{marker}'\nexit 1\n"


@pytest.fixture
def private_toolchain(tmp_path, monkeypatch) -> Path:
    """A copy of the verified mirror with an empty plugin cache and its own CLI config."""
    if not toolchain.MIRRORED_ZIP.exists():
        pytest.fail("the provider mirror is empty: run `make toolchain`", pytrace=False)
    if toolchain.provider_mode() != "mirror":
        pytest.skip("TF_PROVIDERS=registry: the public registry's signatures protect the provider")
    base = tmp_path / "toolchain"
    mirror, cache = base / "mirror", base / "plugin-cache"
    monkeypatch.setattr(toolchain, "MIRROR_DIR", mirror)
    monkeypatch.setattr(toolchain, "MIRRORED_ZIP", mirror / toolchain.PROVIDER_ADDRESS / toolchain.PROVIDER_ZIP)
    monkeypatch.setattr(toolchain, "PLUGIN_CACHE", cache)
    monkeypatch.setattr(toolchain, "CACHED_PROVIDER",
                        cache / toolchain.PROVIDER_ADDRESS / toolchain.PROVIDER_VERSION / "linux_amd64")
    monkeypatch.setattr(toolchain, "CLI_CONFIG", base / "terraformrc")
    monkeypatch.setattr(toolchain, "_verified", set())
    toolchain.MIRRORED_ZIP.parent.mkdir(parents=True)
    shutil.copyfile(toolchain.PROJECT_ROOT / ".toolchain" / "mirror" / toolchain.PROVIDER_ADDRESS
                    / toolchain.PROVIDER_ZIP, toolchain.MIRRORED_ZIP)
    toolchain.write_cli_config("mirror")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(toolchain.CLI_CONFIG))
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)  # a parallel worker's own cache
    return base


def terraform_init(root: StagedRoot) -> str:
    """`terraform init` itself, without the toolchain's own check in front of it."""
    return root.tf.execute_command("init", "-input=false", "-no-color").out


def test_swapped_binary_in_the_plugin_cache_is_refused(private_toolchain):
    # A first init fills the cache from the mirror; Terraform records the package's h1: hash,
    # which must be the one the toolchain pins.
    with StagedRoot.example(EXAMPLE) as root:
        terraform_init(root)
        recorded = (root.dir / ".terraform.lock.hcl").read_text()
    assert toolchain.PROVIDER_H1 in recorded, recorded
    assert toolchain.dirhash_h1(toolchain.CACHED_PROVIDER) == toolchain.PROVIDER_H1

    binary = next(toolchain.CACHED_PROVIDER.iterdir())
    binary.write_text(fake_provider(private_toolchain / "ran"))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)

    with StagedRoot.example(EXAMPLE) as root:
        with pytest.raises(toolchain.ToolchainError, match=r"refusing the cached hashicorp/aws 3\.39\.0: "
                           r"its package hash h1:\S+ is not h1:goOM"):
            root.init()
        assert not (root.dir / ".terraform").exists(), "terraform init ran despite the refusal"

        # Terraform on its own, with the pinned lock file, does not take the swapped binary
        # either: the cache entry does not match the lock, so it installs from the mirror.
        (root.dir / toolchain.LOCK_FILE).write_text(toolchain.lock_file_text())
        output = terraform_init(root)
        assert "from the shared cache directory" not in output, output
        root.tf.execute_command("validate", "-no-color")
    assert toolchain.dirhash_h1(toolchain.CACHED_PROVIDER) == toolchain.PROVIDER_H1
    assert not (private_toolchain / "ran").exists(), "the swapped provider binary was run"


def plant_zip(version: str, marker: Path) -> Path:
    planted = toolchain.MIRRORED_ZIP.with_name(f"terraform-provider-aws_{version}_linux_amd64.zip")
    with zipfile.ZipFile(planted, "w") as archive:
        info = zipfile.ZipInfo(f"terraform-provider-aws_v{version}_x5")
        info.external_attr = 0o755 << 16
        archive.writestr(info, fake_provider(marker))
    return planted


def test_planted_higher_version_zip_in_the_mirror_is_refused(private_toolchain):
    plant_zip("9.9.9", private_toolchain / "ran")
    with StagedRoot.example(EXAMPLE) as root:
        with pytest.raises(toolchain.ToolchainError, match=r"refusing the provider mirror: "
                           r"terraform-provider-aws_9\.9\.9_linux_amd64\.zip is not the verified "
                           r"terraform-provider-aws_3\.39\.0_linux_amd64\.zip"):
            root.init()
        assert not (root.dir / ".terraform").exists(), "terraform init ran despite the refusal"

        # Without a lock file (the old set-up) Terraform takes the planted zip: the example's own
        # `>= 5.32.0` allows it (the floor override that pins the staged copy is taken away).
        for override in root.dir.parents[1].rglob(provider_floor.OVERRIDE_NAME):  # the staged tree
            override.unlink()
        output = terraform_init(root)
        assert "Installed hashicorp/aws v9.9.9 (unauthenticated)" in output, output

    # With the pinned lock file Terraform itself installs exactly 3.39.0 and checks its hash.
    with StagedRoot.example(EXAMPLE) as root:
        (root.dir / toolchain.LOCK_FILE).write_text(toolchain.lock_file_text())
        output = terraform_init(root)
        assert "v9.9.9" not in output, output
        assert "Using hashicorp/aws v3.39.0" in output or "Installed hashicorp/aws v3.39.0" in output, output
    assert not (private_toolchain / "ran").exists(), "the planted provider binary was run"
