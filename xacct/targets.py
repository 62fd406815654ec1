"""Where the end-to-end suite runs: the local emulator (default) or two real AWS accounts.

Both implement `Target`, the interface the tests, the demo and `xacct-terraform` use.
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
from typing import Protocol, runtime_checkable

import boto3
import botocore.config
import botocore.session
from botocore.credentials import (AssumeRoleCredentialFetcher, CredentialProvider, CredentialResolver,
                                  DeferredRefreshableCredentials)

from xacct import provider_override
from xacct.provider_override import ProviderSettings

TARGETS = ("emulator", "aws")
ACCOUNTS = ("parent", "child", "outsider")
SESSION_NAME = "xacct-e2e"


class TargetError(RuntimeError):
    """The requested target cannot be used; the message says what to set."""


class EmulatorOnly(NotImplementedError):
    """A check needs one of the emulator's inspection or fault hooks, which AWS does not have."""


@runtime_checkable
class Target(Protocol):
    """A set of named accounts to apply roots in and call.

    `accounts` maps a name ("parent", "child", ...) to an object with at least `.id`.
    The inspection and fault hooks exist only on the emulator; elsewhere they raise
    `EmulatorOnly`.
    """

    region: str
    accounts: dict

    def session(self, account: str) -> boto3.Session: ...

    def client(self, service: str, account: str = "child", session: boto3.Session | None = None, **config): ...

    def provider_settings(self, alias: str, account: str) -> ProviderSettings: ...

    def provider_override(self, aliases: dict[str, str]) -> str: ...

    def journal(self) -> list[dict]: ...

    def invocations(self) -> list[dict]: ...

    def clear_journal(self) -> None: ...

    def inject_fault(self, endpoint: str, code: str, count: int = 1, model_status: int = 500,
                     model_message: str = "Injected model failure") -> None: ...

    def clear_faults(self) -> None: ...

    def set_organizations(self, organizations: dict[str, str]) -> None: ...

    def set_iam_propagation(self, seconds: float) -> None: ...


def render_override(target: Target, aliases: dict[str, str]) -> str:
    """The `*_override.tf.json` text pointing each provider alias ("" = default) at an account."""
    return provider_override.render([target.provider_settings(alias, account) for alias, account in aliases.items()])


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


class _AssumedRoleProvider(CredentialProvider):
    """Credentials of a role, fetched on first use and fetched again before they expire.

    botocore's own assume-role fetcher and refreshable credentials (the pieces behind a
    profile with `role_arn`), so a run longer than the session's hour keeps working.
    """

    METHOD = "assume-role"

    def __init__(self, fetcher: AssumeRoleCredentialFetcher):
        self._fetcher = fetcher

    def load(self):
        return DeferredRefreshableCredentials(refresh_using=self._fetcher.fetch_credentials, method=self.METHOD)


def refreshing_session(role_arn: str, region: str, profile: str | None = None,
                       duration_seconds: int | None = None) -> boto3.Session:
    """A boto3 session acting as `role_arn`, assumed with the `profile` (or default) credentials."""
    base = botocore.session.Session(profile=profile)
    base.set_config_variable("region", region)
    extra_args = {"RoleSessionName": SESSION_NAME}
    if duration_seconds:
        extra_args["DurationSeconds"] = duration_seconds
    fetcher = AssumeRoleCredentialFetcher(client_creator=base.create_client, source_credentials=base.get_credentials(),
                                          role_arn=role_arn, extra_args=extra_args)
    assumed = botocore.session.Session()
    assumed.register_component("credential_provider", CredentialResolver([_AssumedRoleProvider(fetcher)]))
    return boto3.Session(botocore_session=assumed, region_name=region)


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
        if not access.role_arn:
            return boto3.Session(profile_name=access.profile, region_name=self.region)
        return refreshing_session(access.role_arn, self.region, access.profile)

    def session(self, account: str) -> boto3.Session:
        return self._sessions[account]

    def client(self, service: str, account: str = "child", session: boto3.Session | None = None, **config):
        session = session or self.session(account)
        return session.client(service, config=botocore.config.Config(**({"retries": {"mode": "standard"}} | config)))

    def provider_settings(self, alias: str, account: str) -> ProviderSettings:
        """A profile and/or a role to assume: Terraform's provider refreshes its own sessions."""
        access = self.config.accounts[account]
        return ProviderSettings(alias=alias, region=self.region, profile=access.profile, role_arn=access.role_arn)

    def provider_override(self, aliases: dict[str, str]) -> str:
        return render_override(self, aliases)

    # The emulator's inspection and fault hooks have no AWS counterpart.
    def _emulator_only(self, what: str):
        raise EmulatorOnly(f"needs the emulator's {what}; not available against real AWS")

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

    def set_iam_propagation(self, *args, **kwargs):
        self._emulator_only("IAM propagation delay (AWS has its own, which nobody sets)")
