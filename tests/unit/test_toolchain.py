"""The provider mirror refuses any zip that is not HashiCorp's published build."""

from __future__ import annotations

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
