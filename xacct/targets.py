"""Where the end-to-end suite runs: the local emulator (default) or two real AWS accounts.

Real AWS is used only when asked for explicitly:

    XACCT_TARGET=aws
    XACCT_AWS_PARENT_PROFILE=...   or  XACCT_AWS_PARENT_ROLE_ARN=...
    XACCT_AWS_CHILD_PROFILE=...    or  XACCT_AWS_CHILD_ROLE_ARN=...
    XACCT_AWS_DEMO_MODEL_IMAGE=... an echo model image (returns its request body)
    XACCT_AWS_REGION=us-east-1     (optional)
    XACCT_AWS_OUTSIDER_PROFILE=... (optional: a third account for the "untrusted account" case)

Without XACCT_TARGET=aws nothing here touches AWS. With it, both accounts' credentials are
checked with sts:GetCallerIdentity before anything is applied, and a missing or unusable
one stops the run with a message naming the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import boto3
import botocore.config

TARGETS = ("emulator", "aws")
ACCOUNTS = ("parent", "child", "outsider")


class TargetError(RuntimeError):
    """The requested target cannot be used; the message says what to set."""


@dataclass(frozen=True)
class AccountAccess:
    name: str
    profile: str | None = None
    role_arn: str | None = None


@dataclass(frozen=True)
class TargetConfig:
    kind: str
    region: str = "us-east-1"
    accounts: dict[str, AccountAccess] = field(default_factory=dict)
    demo_model_image: str | None = None


def resolve_target(env: dict[str, str] | None = None) -> TargetConfig:
    """Read the target from the environment, refusing incomplete real-AWS settings."""
    env = dict(os.environ if env is None else env)
    kind = env.get("XACCT_TARGET", "emulator")
    if kind not in TARGETS:
        raise TargetError(f"XACCT_TARGET must be one of {', '.join(TARGETS)}, not {kind!r}")
    if kind == "emulator":
        return TargetConfig(kind="emulator")
    accounts = {}
    for name in ACCOUNTS:
        profile = env.get(f"XACCT_AWS_{name.upper()}_PROFILE") or None
        role_arn = env.get(f"XACCT_AWS_{name.upper()}_ROLE_ARN") or None
        if profile or role_arn:
            accounts[name] = AccountAccess(name, profile, role_arn)
        elif name != "outsider":
            raise TargetError(
                f"XACCT_TARGET=aws needs credentials for the {name} account: set "
                f"XACCT_AWS_{name.upper()}_PROFILE or XACCT_AWS_{name.upper()}_ROLE_ARN")
    image = env.get("XACCT_AWS_DEMO_MODEL_IMAGE") or None
    if image is None:
        raise TargetError("XACCT_TARGET=aws needs XACCT_AWS_DEMO_MODEL_IMAGE: the image of an echo model "
                          "(one that answers /invocations with its request body), which the suite deploys "
                          "as the parent's endpoint")
    return TargetConfig(kind="aws", region=env.get("XACCT_AWS_REGION", "us-east-1"), accounts=accounts,
                        demo_model_image=image)


@dataclass(frozen=True)
class AccountRef:
    name: str
    id: str


class AwsTarget:
    """Two (or three) real accounts behind the interface the tests use for the emulator."""

    def __init__(self, config: TargetConfig):
        self.config = config
        self.region = config.region
        self._sessions: dict[str, boto3.Session] = {}
        self.accounts: dict[str, AccountRef] = {}
        for name, access in config.accounts.items():
            try:  # any failure here means: no usable credentials
                self._sessions[name] = self._session_for(access)
                account_id = self._sessions[name].client("sts").get_caller_identity()["Account"]
            except Exception as error:
                source = f"profile {access.profile!r}" if access.profile else f"role {access.role_arn!r}"
                raise TargetError(f"no usable AWS credentials for the {name} account ({source}): {error}") from error
            self.accounts[name] = AccountRef(name, account_id)

    def _session_for(self, access: AccountAccess) -> boto3.Session:
        base = boto3.Session(profile_name=access.profile, region_name=self.region)
        if not access.role_arn:
            return base
        creds = base.client("sts").assume_role(RoleArn=access.role_arn, RoleSessionName="xacct-e2e")["Credentials"]
        return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"], region_name=self.region)

    def session(self, account: str) -> boto3.Session:
        return self._sessions[account]

    def client(self, service: str, account: str = "child", session: boto3.Session | None = None, **config):
        session = session or self.session(account)
        return session.client(service, config=botocore.config.Config(**({"retries": {"mode": "standard"}} | config)))

    def provider_override(self, aliases: dict[str, str]) -> str:
        """Provider blocks for the real accounts: a profile and/or a role to assume each."""
        blocks = []
        for alias, account in aliases.items():
            access = self.config.accounts[account]
            lines = ['provider "aws" {']
            if alias:
                lines.append(f'  alias   = "{alias}"')
            lines.append(f'  region  = "{self.region}"')
            lines.append(f'  profile = {_hcl(access.profile)}')
            if access.role_arn:
                lines += ["  assume_role {", f'    role_arn = "{access.role_arn}"', "  }"]
            blocks.append("\n".join(lines + ["}"]) + "\n")
        return "# Generated for a run against real AWS accounts.\n" + "\n".join(blocks)

    # The emulator's inspection and fault hooks have no AWS counterpart.
    def _emulator_only(self, what: str):
        import pytest

        pytest.skip(f"needs the emulator's {what}; not available against real AWS")

    def journal(self):
        self._emulator_only("call journal")

    def invocations(self):
        self._emulator_only("record of endpoint invocations")

    def clear_journal(self):
        self._emulator_only("call journal")

    def inject_fault(self, *args, **kwargs):
        self._emulator_only("fault injection")

    def clear_faults(self):
        self._emulator_only("fault injection")

    def set_organizations(self, *args, **kwargs):
        self._emulator_only("organization settings")


def _hcl(value: str | None) -> str:
    return "null" if value is None else f'"{value}"'
