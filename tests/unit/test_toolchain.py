"""The toolchain refuses any provider or schema package that is not the pinned, published build."""

from __future__ import annotations

import base64
import hashlib

import pytest

from xacct import toolchain

pytestmark = pytest.mark.unit


def test_tampered_provider_zip_is_refused(tmp_path):
    tampered = tmp_path / toolchain.PROVIDER_ZIP
    tampered.write_bytes(b"not the provider")
    with pytest.raises(toolchain.ToolchainError, match="does not match HashiCorp's published digest"):
        toolchain.verify_provider_zip(tampered)


def test_mirrored_provider_zip_is_verified():
    if not toolchain.MIRRORED_ZIP.exists():
        pytest.skip("the mirror is filled by `make toolchain` (TF_PROVIDERS=mirror)")
    toolchain.verify_provider_zip(toolchain.MIRRORED_ZIP)


def test_unknown_switch_values_are_refused(monkeypatch):
    monkeypatch.setenv("TF_PROVIDERS", "somewhere")
    with pytest.raises(toolchain.ToolchainError, match="TF_PROVIDERS must be one of mirror, registry"):
        toolchain.provider_mode()
    with pytest.raises(toolchain.ToolchainError, match="TF_BINARY must be 'auto' or 'bundled'"):
        toolchain.ensure_terraform("elsewhere")


def test_npm_integrity_is_the_registry_format(tmp_path):
    """npm's `dist.integrity` is Subresource Integrity: `sha512-` and the base64 digest (W3C SRI)."""
    empty = tmp_path / "empty.tgz"
    empty.write_bytes(b"")
    assert toolchain.npm_integrity(empty) == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")


def test_tampered_schema_tarball_is_refused(tmp_path):
    tampered = tmp_path / "cdktn-provider-aws-25.7.0.tgz"
    tampered.write_bytes(b"not the package")
    with pytest.raises(toolchain.ToolchainError, match=r"refusing cdktn-provider-aws-25\.7\.0\.tgz: integrity sha512-\S+ "
                                                        r"is not the pinned sha512-E/nhu0y"):
        toolchain.verify_schema_tarball(tampered)


def test_lock_file_and_cli_config_pin_the_verified_build(tmp_path, monkeypatch):
    monkeypatch.setattr(toolchain, "CLI_CONFIG", tmp_path / "terraformrc")
    monkeypatch.setattr(toolchain, "PLUGIN_CACHE", tmp_path / "plugin-cache")
    toolchain.write_cli_config("mirror")
    assert "plugin_cache_may_break_dependency_lock_file" not in toolchain.CLI_CONFIG.read_text()
    lock = toolchain.lock_file_text()
    assert 'version = "3.39.0"' in lock and f'"zh:{toolchain.PROVIDER_SHA256}"' in lock


def test_dirhash_h1_is_terraforms_package_hash(tmp_path):
    """Go's dirhash Hash1, which Terraform records as `h1:`: sha256 over "<sha256>  <name>\\n" lines."""
    (tmp_path / "b").write_text("2")
    (tmp_path / "a").write_text("1")
    # sha256("1") and sha256("2"), sorted by name, then sha256 of the summary, base64.
    assert toolchain.dirhash_h1(tmp_path) == "h1:" + base64.b64encode(hashlib.sha256(
        b"6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b  a\n"
        b"d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35  b\n").digest()).decode()
    if toolchain.CACHED_PROVIDER.exists():  # the unpacked provider, as Terraform records it
        assert toolchain.dirhash_h1(toolchain.CACHED_PROVIDER) == toolchain.PROVIDER_H1
