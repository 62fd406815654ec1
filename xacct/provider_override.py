"""Terraform provider overrides (`*_override.tf.json`) for the emulator and for real accounts.

One service list and one writer serve the test targets and `xacct-terraform`. The file is
JSON written with `json.dumps`, so no value needs quoting by hand. Terraform merges it into
the root's own `provider "aws"` blocks (Terraform docs, "Override Files"): each attribute
given here replaces the root's, and a nested block given here (`assume_role`, `endpoints`)
replaces every block of that type, `dynamic` ones included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# Every service hashicorp/aws 3.39 calls for the project's roots. `ec2` is not used by any
# resource, but the provider calls ec2:DescribeAccountAttributes when it is configured and
# retries for about 20 s when that endpoint is unreachable; `sts` answers GetCallerIdentity.
# `ecr`: a root may create its model's repository; the emulator checks SageMaker's pulls
# from the repositories it holds (xacct/emulator/sagemaker_model_checks.py).
SERVICES = ("sts", "iam", "lambda", "sagemaker", "cloudwatchlogs", "ec2", "kms", "ecr")

FILE_NAME = "xacct_override.tf.json"
GENERATED_NOTE = "Generated for one run; removed afterwards. Not part of the root."


@dataclass(frozen=True)
class ProviderSettings:
    """What one `provider "aws"` block is given. `alias` "" is the default provider."""

    alias: str
    region: str
    access_key: str | None = None
    secret_key: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None

    def block(self) -> dict:
        block: dict = {"region": self.region}
        if self.alias:
            block["alias"] = self.alias
        if self.endpoint_url:
            # Keys given outright: the root's profile and role are set aside (an empty
            # role_arn makes the provider skip AssumeRole), and nothing is looked up.
            block |= {
                "access_key": self.access_key,
                "secret_key": self.secret_key,
                "profile": None,
                "assume_role": [{"role_arn": ""}],
                "skip_metadata_api_check": True,
                "skip_credentials_validation": True,
                "endpoints": [{service: self.endpoint_url for service in SERVICES}],
            }
        else:
            block["profile"] = self.profile
            if self.role_arn:
                block["assume_role"] = [{"role_arn": self.role_arn}]
        return block


def document(providers: list[ProviderSettings]) -> dict:
    """The override as a Terraform JSON document (Terraform docs, "JSON Configuration Syntax")."""
    return {"//": GENERATED_NOTE, "provider": {"aws": [p.block() for p in providers]}}


def render(providers: list[ProviderSettings]) -> str:
    return json.dumps(document(providers), indent=2) + "\n"


def write(directory: Path, providers: list[ProviderSettings], name: str = FILE_NAME) -> Path:
    """Write the override into `directory`; the name ends in `_override.tf.json` as Terraform requires."""
    if not name.endswith("_override.tf.json"):
        raise ValueError(f"an override file's name must end with _override.tf.json, not {name!r}")
    path = Path(directory) / name
    path.write_text(render(providers))
    return path
