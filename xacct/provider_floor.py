"""Let the staged copy of the modules and examples accept the one provider release the offline toolchain has.

Each `versions.tf` states the lowest hashicorp/aws release its module or example works
with *with its default inputs*: the child's default runtime, python3.12, needs 5.32.0.
The offline toolchain (mirror mode) has hashicorp/aws 3.39.0 only, on which everything
is applied with an older runtime passed explicitly. So in mirror mode, and only in the
staged copy Terraform runs in (never in the project), every folder whose Terraform files
require hashicorp/aws gets `provider_floor_override.tf.json`, which sets that one
requirement to exactly the mirrored release.

Terraform documents the merge (Override Files, "Merging terraform blocks"):
`required_providers` is merged provider by provider, and an override's constraint
entirely replaces the original's for that provider. Nothing else is changed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from xacct import toolchain

OVERRIDE_NAME = "provider_floor_override.tf.json"
# A `required_providers` entry naming hashicorp/aws; a folder without one needs no override.
_REQUIRES_AWS = re.compile(r'source\s*=\s*"hashicorp/aws"')


def override_json(version: str = toolchain.PROVIDER_VERSION) -> str:
    config = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}}}
    return json.dumps(config, indent=2) + "\n"


def folders_requiring_aws(root: Path) -> list[Path]:
    """Folders under `root` (not inside `.terraform`) whose .tf files require hashicorp/aws."""
    folders = {
        path.parent for path in root.rglob("*.tf")
        if ".terraform" not in path.relative_to(root).parts and _REQUIRES_AWS.search(path.read_text(encoding="utf-8"))
    }
    return sorted(folders)


def relax(root: Path, mode: str | None = None) -> list[Path]:
    """In mirror mode, write the override into every folder under `root` that requires hashicorp/aws.

    `root` must be a staged copy: the files are written where they are found. Returns the
    files written (none in registry mode, where the stated floors apply as written).
    """
    return relax_folders(folders_requiring_aws(root), mode)


def relax_folders(folders: list[Path], mode: str | None = None) -> list[Path]:
    """The same for the given folders only (each one's own .tf files), leaving any that already
    holds an override alone. Returns the files written, for the caller to remove."""
    if (mode or toolchain.provider_mode()) != "mirror":
        return []
    written = []
    for folder in folders:
        target = folder / OVERRIDE_NAME
        requires_aws = any(_REQUIRES_AWS.search(p.read_text(encoding="utf-8")) for p in folder.glob("*.tf"))
        if requires_aws and not target.exists():
            target.write_text(override_json())
            written.append(target)
    return written
