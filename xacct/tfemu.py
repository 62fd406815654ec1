"""`xacct-terraform`: run Terraform in any root against the running emulator.

In the spirit of LocalStack's `tflocal`: for the length of one Terraform command it writes
`xacct_override.tf.json` into the root, which points every `provider "aws"` block (the
default one and each alias) at the emulator with one account's keys and every endpoint
the provider calls (see xacct/provider_override.py), then removes it, also after a failure,
Ctrl-C or SIGTERM. It never edits a file of the root. On the project's offline toolchain
(hashicorp/aws 3.39.0 only) it also writes, for the same command only, the provider-floor
override the project's own suite uses (xacct/provider_floor.py) into the root and the
module folders it calls, since the modules state a higher floor for their defaults.

Each provider is mapped to an account of the emulator by the account ID in its
`assume_role { role_arn = "arn:aws:iam::<ID>:role/..." }`, or explicitly with
`--account ALIAS=ACCOUNT` (`default` names the provider without an alias; ACCOUNT is an
account name such as `parent` or its ID). The emulator is found through `--info-file`,
`XACCT_EMULATOR_INFO` (the file `xacct-emulator --info-file` writes), or `AWS_ENDPOINT_URL`.

    xacct-emulator --info-file /tmp/emu.json &
    export XACCT_EMULATOR_INFO=/tmp/emu.json
    xacct-terraform --account default=parent init
    xacct-terraform --account default=parent apply -auto-approve
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import hcl2
import requests
from python_terraform import Terraform

from xacct import hcl
from xacct import provider_floor, provider_override, toolchain
from xacct.provider_override import ProviderSettings

INFO_ENV = "XACCT_EMULATOR_INFO"
DEFAULT_ALIAS = "default"
# The account ID in an IAM role ARN (IAM User Guide, "IAM identifiers": arn:partition:iam::account:role/name).
ROLE_ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")
_PARSE_OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)


class WrapperError(RuntimeError):
    """The wrapper cannot run this root; the message names what it needs."""


@dataclass(frozen=True)
class EmulatorAccount:
    name: str
    id: str
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class EmulatorInfo:
    endpoint_url: str
    region: str
    accounts: dict[str, EmulatorAccount]

    @classmethod
    def from_json(cls, data: dict) -> "EmulatorInfo":
        accounts = {name: EmulatorAccount(name, a["id"], a["access_key_id"], a["secret_access_key"])
                    for name, a in data["accounts"].items()}
        return cls(data["endpoint_url"], data["region"], accounts)

    def account(self, wanted: str) -> EmulatorAccount | None:
        """An account by name or by ID."""
        return self.accounts.get(wanted) or next((a for a in self.accounts.values() if a.id == wanted), None)

    def listing(self) -> str:
        return ", ".join(f"{a.name}={a.id}" for a in self.accounts.values())


@dataclass(frozen=True)
class AwsProvider:
    """One `provider "aws"` block of the root, as written."""

    alias: str  # "" for the default provider
    file: str
    role_arn: object  # whatever the block says: a literal ARN, an expression, or None

    @property
    def label(self) -> str:
        where = f'provider "aws" (alias "{self.alias}")' if self.alias else 'provider "aws" (no alias)'
        return f"{where} in {self.file}"


NO_EMULATOR = (f"no emulator to run against: start one with `xacct-emulator --info-file PATH` and pass "
               f"--info-file PATH or set {INFO_ENV}=PATH (or AWS_ENDPOINT_URL to a running emulator)")


def find_emulator(info_file: str | None, env: dict[str, str]) -> EmulatorInfo:
    """The emulator's connection details, refused unless it answers."""
    info_file = info_file or env.get(INFO_ENV)
    if info_file:
        path = Path(info_file)
        if not path.is_file():
            raise WrapperError(f"no emulator info file at {path}: {NO_EMULATOR}")
        try:
            info = EmulatorInfo.from_json(json.loads(path.read_text()))
        except (ValueError, KeyError) as error:
            raise WrapperError(f"{path} is not an emulator info file (needs endpoint_url, region, accounts): {error}")
        _require_answer(info.endpoint_url, f"the emulator in {path}")
        return info
    url = env.get("AWS_ENDPOINT_URL")
    if not url:
        raise WrapperError(NO_EMULATOR)
    response = _require_answer(url, f"AWS_ENDPOINT_URL={url}")
    try:
        return EmulatorInfo.from_json(response.json())
    except (ValueError, KeyError):
        raise WrapperError(f"AWS_ENDPOINT_URL={url} did not give the emulator's /_emulator/info "
                           f"(HTTP {response.status_code}); pass --info-file instead")


def _require_answer(url: str, what: str) -> requests.Response:
    try:
        return requests.get(f"{url.rstrip('/')}/_emulator/info", timeout=5)
    except requests.RequestException as error:
        raise WrapperError(f"{what} is not answering at {url} ({type(error).__name__}): {NO_EMULATOR}")


def read_providers(root: Path) -> list[AwsProvider]:
    """Every `provider "aws"` block in the root's own .tf and .tf.json files (not in modules)."""
    found = []
    for path in sorted(root.glob("*.tf")) + sorted(root.glob("*.tf.json")):
        if path.name == provider_override.FILE_NAME:
            continue
        if path.suffix == ".json":
            blocks = json.loads(path.read_text()).get("provider", {})
            blocks = blocks if isinstance(blocks, list) else [blocks]
        else:
            try:
                blocks = hcl.loads(path.read_text(), _PARSE_OPTIONS).get("provider", [])
            except Exception as error:  # the parser's own errors name the line
                raise WrapperError(f"cannot read {path.name}: {error}")
        for block in blocks:
            for config in _as_list(block.get("aws")):
                assume = _as_list(config.get("assume_role"))
                role_arn = assume[0].get("role_arn") if len(assume) == 1 else None
                found.append(AwsProvider(alias=config.get("alias") or "", file=path.name, role_arn=role_arn))
    return found


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_account_args(pairs: list[str]) -> dict[str, str]:
    """`--account ALIAS=ACCOUNT` pairs; `default` stands for the provider without an alias."""
    mapping = {}
    for pair in pairs:
        alias, sep, account = pair.partition("=")
        if not sep or not alias or not account:
            raise WrapperError(f"--account takes ALIAS=ACCOUNT (ALIAS `{DEFAULT_ALIAS}` for the provider "
                               f"without an alias), not {pair!r}")
        mapping["" if alias == DEFAULT_ALIAS else alias] = account
    return mapping


def map_providers(providers: list[AwsProvider], explicit: dict[str, str], info: EmulatorInfo,
                  root: Path) -> list[ProviderSettings]:
    """One ProviderSettings per provider block, or a refusal naming the block and what to pass."""
    if not providers:
        raise WrapperError(f'no provider "aws" block in {root}: the override can only amend one the root '
                           f'declares (add `provider "aws" {{}}`, with an alias per account)')
    aliases = {p.alias for p in providers}
    for alias in explicit:
        if alias not in aliases:
            shown = ", ".join(sorted(a or DEFAULT_ALIAS for a in aliases))
            raise WrapperError(f"--account {alias or DEFAULT_ALIAS}=...: the root has no such aws provider "
                               f"(its aws providers: {shown})")
    settings = []
    for provider in providers:
        wanted = explicit.get(provider.alias)
        if wanted is None:
            match = ROLE_ARN_ACCOUNT.match(provider.role_arn) if isinstance(provider.role_arn, str) else None
            if match is None:
                raise WrapperError(
                    f"{provider.label}: cannot tell which account it acts in (no literal "
                    f"assume_role.role_arn); pass --account {provider.alias or DEFAULT_ALIAS}=ACCOUNT "
                    f"with one of the emulator's accounts: {info.listing()}")
            wanted = match.group(1)
        account = info.account(wanted)
        if account is None:
            raise WrapperError(f"{provider.label}: account {wanted} is not one of the emulator's "
                               f"({info.listing()}); start it with that account or pass --account")
        settings.append(ProviderSettings(alias=provider.alias, region=info.region, access_key=account.access_key_id,
                                         secret_key=account.secret_access_key, endpoint_url=info.endpoint_url))
    return settings


def write_override(root: Path, settings: list[ProviderSettings]) -> Path:
    """Write the override, refusing to replace a file of the same name that the wrapper did not write."""
    path = root / provider_override.FILE_NAME
    if path.exists() and provider_override.GENERATED_NOTE not in path.read_text():
        raise WrapperError(f"{path} exists and was not generated by xacct-terraform; "
                           f"rename it, the wrapper never overwrites a file of the root")
    return provider_override.write(root, settings)


def run_terraform(root: Path, args: list[str], region: str) -> int:
    """Run Terraform in `root` through python-terraform, waiting for it to finish even when
    interrupted, so the override is removed only once Terraform has stopped."""
    command = Terraform(working_dir=str(root)).generate_cmd_string(args[0], *args[1:])
    # A region set only by an override file is not seen by every step: hashicorp/aws 3.39
    # still reports "region is required" for a root's provider block that has none. The
    # environment fills that gap; the override's region (the same) wins everywhere else.
    env = {**os.environ, "AWS_DEFAULT_REGION": region, "AWS_REGION": region}
    process = subprocess.Popen(command, cwd=root, env=env)

    def forward(signum, _frame):
        # Ctrl-C reaches Terraform directly (same process group) and Terraform stops
        # gracefully; a SIGTERM sent to the wrapper alone is passed on.
        if signum == signal.SIGTERM:
            process.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return process.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def offline_toolchain(env: dict[str, str]) -> bool:
    """Whether Terraform runs on the project's offline toolchain (its CLI config, mirror mode),
    which holds hashicorp/aws 3.39.0 only."""
    return env.get("TF_CLI_CONFIG_FILE") == str(toolchain.CLI_CONFIG) and toolchain.provider_mode() == "mirror"


def module_folders(root: Path) -> list[Path]:
    """The root and every module folder it calls, as Terraform recorded them when it fetched
    them (.terraform/modules/modules.json: local paths and downloaded copies alike)."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    recorded = json.loads(manifest.read_text()).get("Modules", []) if manifest.exists() else []
    return sorted({root.resolve(), *((root / m["Dir"]).resolve() for m in recorded if m.get("Dir"))})


def relax_provider_floor(root: Path, terraform_args: list[str], region: str) -> list[Path]:
    """On the offline toolchain, let the root and its modules accept hashicorp/aws 3.39.0 for
    this command, as the project's own suite does (xacct/provider_floor.py): modules state a
    higher floor for their defaults. Modules are fetched first (`terraform get`) so that their
    folders are known before `init` looks for providers. Returns the files to remove after."""
    if terraform_args[:1] == ["init"] and run_terraform(root, ["get"], region) != 0:
        raise WrapperError(f"terraform get failed in {root}")
    written = provider_floor.relax_folders(module_folders(root))
    if written:
        print(f"xacct-terraform: offline toolchain: hashicorp/aws pinned to {toolchain.PROVIDER_VERSION} "
              f"for this command in {len(written)} folder(s) (removed afterwards)", file=sys.stderr)
    return written


def run(root: Path, terraform_args: list[str], account_args: list[str], info_file: str | None,
        env: dict[str, str]) -> int:
    info = find_emulator(info_file, env)
    settings = map_providers(read_providers(root), parse_account_args(account_args), info, root)
    override = write_override(root, settings)
    relaxed: list[Path] = []
    try:
        if offline_toolchain(env):
            relaxed = relax_provider_floor(root, terraform_args, info.region)
        return run_terraform(root, terraform_args, info.region)
    finally:
        for path in [override, *relaxed]:
            path.unlink(missing_ok=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="xacct-terraform",
        description="Run Terraform in a root against the running two-account emulator, without editing the root.",
        epilog="Everything after the options is passed to Terraform: xacct-terraform --account default=parent plan")
    parser.add_argument("--account", action="append", default=[], metavar="ALIAS=ACCOUNT",
                        help=f"map an aws provider (`{DEFAULT_ALIAS}` = no alias) to an emulator account name or ID; "
                             "repeatable; without it a provider is mapped by its assume_role.role_arn")
    parser.add_argument("--info-file", help=f"the emulator's info file (default: ${INFO_ENV}, else AWS_ENDPOINT_URL)")
    parser.add_argument("--chdir", default=".", help="the root to run in (default: the current folder)")
    parser.add_argument("--exports", metavar="ACCOUNT",
                        help="print shell exports that point boto3 and the AWS CLI (v1 and v2) at ACCOUNT "
                             "on the emulator, and run nothing")
    parser.add_argument("terraform_args", nargs=argparse.REMAINDER, help="the Terraform command and its arguments")
    return parser.parse_args(argv)


def exports(info: EmulatorInfo, wanted: str) -> str:
    """`export` lines for one account: boto3 and both AWS CLIs read the region from
    AWS_DEFAULT_REGION, and recent ones the endpoint from AWS_ENDPOINT_URL."""
    account = info.account(wanted)
    if account is None:
        raise WrapperError(f"--exports {wanted}: not one of the emulator's accounts ({info.listing()})")
    values = {"AWS_ACCESS_KEY_ID": account.access_key_id, "AWS_SECRET_ACCESS_KEY": account.secret_access_key,
              "AWS_DEFAULT_REGION": info.region, "AWS_REGION": info.region, "AWS_ENDPOINT_URL": info.endpoint_url}
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in values.items()) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.exports:
        try:
            print(exports(find_emulator(args.info_file, dict(os.environ)), args.exports), end="")
            return 0
        except WrapperError as error:
            print(f"xacct-terraform: {error}", file=sys.stderr)
            return 2
    if not args.terraform_args:
        print("xacct-terraform: name a Terraform command, e.g. `xacct-terraform --account default=parent plan`",
              file=sys.stderr)
        return 2
    try:
        return run(Path(args.chdir).resolve(), args.terraform_args, args.account, args.info_file, dict(os.environ))
    except WrapperError as error:
        print(f"xacct-terraform: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
