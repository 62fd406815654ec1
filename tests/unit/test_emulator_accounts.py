"""An emulator a team can keep using: any number of accounts, keys that survive restarts, exports every client accepts."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from xacct.emulator.credentials import (ACCESS_KEY_ID, SECRET_KEY, AccountSpec, AccountSpecError, derived_keys,
                                        key_seed, parse_account)


FOUR = ["platform=111111111111", "ml=222222222222", "data=444444444444", "sandbox=555555555555"]
GIVEN_KEY, GIVEN_SECRET = "AKIAGIVENGIVENGIVEN2", "s" * 39 + "/"


# --- account arguments and keys ---------------------------------------------------------

@pytest.mark.unit
def test_an_account_is_a_name_and_an_id_or_also_its_keys():
    assert parse_account("team-a=123456789012") == AccountSpec("team-a", "123456789012")
    assert parse_account(f"ci=123456789012:{GIVEN_KEY}:{GIVEN_SECRET}") == \
        AccountSpec("ci", "123456789012", GIVEN_KEY, GIVEN_SECRET)


@pytest.mark.unit
@pytest.mark.parametrize("text, message", [
    ("parent", "expected NAME=ACCOUNT_ID"),
    ("1x=123456789012", "expected NAME=ACCOUNT_ID"),
    ("a=12345", "the account ID must be 12 digits, not '12345'"),
    ("a=123456789012:AKIA", "expected NAME=ACCOUNT_ID"),
    (f"a=123456789012:ASIA{'A' * 16}:{GIVEN_SECRET}", "the access key ID must be AKIA followed by 16"),
    (f"a=123456789012:{GIVEN_KEY}:short", "the secret access key must be 40 characters"),
])
def test_a_malformed_account_is_refused_naming_the_rule(text, message):
    with pytest.raises(AccountSpecError, match=re.escape(message)):
        parse_account(text)


@pytest.mark.unit
def test_derived_keys_are_stable_per_seed_and_account_and_look_like_iam_keys():
    first = derived_keys(b"seed-1", "111111111111")
    assert first == derived_keys(b"seed-1", "111111111111")
    assert first != derived_keys(b"seed-1", "222222222222")
    assert first != derived_keys(b"seed-2", "111111111111")
    assert ACCESS_KEY_ID.match(first[0]) and SECRET_KEY.match(first[1])


@pytest.mark.unit
def test_the_seed_comes_from_the_environment_first(tmp_path):
    assert key_seed({"EMULATOR_KEY_SEED": "team-seed"}, tmp_path / "seed") == b"team-seed"
    assert not (tmp_path / "seed").exists()


@pytest.mark.unit
def test_the_seed_file_is_created_once_readable_by_its_owner_only(tmp_path):
    seed_file = tmp_path / "xacct" / "emulator-key-seed"
    first = key_seed({}, seed_file)
    assert stat.S_IMODE(seed_file.stat().st_mode) == 0o600
    assert key_seed({}, seed_file) == first and len(first) == 64


@pytest.mark.unit
def test_a_seed_file_others_can_read_is_refused(tmp_path):
    seed_file = tmp_path / "seed"
    seed_file.write_text("x" * 64)
    seed_file.chmod(0o644)
    with pytest.raises(AccountSpecError, match="readable by other users; make it mode 0600"):
        key_seed({}, seed_file)


# --- the running emulator ---------------------------------------------------------------

@contextmanager
def running_emulator(tmp_path: Path, *args: str, env: dict | None = None):
    """Start the emulator; yield its info file's content and what it printed; stop it."""
    info_file = tmp_path / "info.json"
    process = subprocess.Popen([sys.executable, "-m", "xacct.emulator", "--info-file", str(info_file), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), **(env or {})})
    lines = []
    try:
        while not lines or not lines[-1].startswith("Ctrl-C"):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        yield json.loads(info_file.read_text()), "".join(lines)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


def run_emulator(tmp_path: Path, *args: str, env: dict | None = None) -> tuple[dict, str]:
    with running_emulator(tmp_path, *args, env=env) as started:
        return started


@pytest.mark.emulator
def test_as_many_accounts_as_asked_for_with_the_same_keys_after_a_restart(tmp_path):
    args = [arg for account in FOUR for arg in ("--account", account)]
    first, _ = run_emulator(tmp_path, *args)
    second, _ = run_emulator(tmp_path, *args)
    assert {name: a["id"] for name, a in first["accounts"].items()} == dict(a.split("=") for a in FOUR)
    assert first["accounts"] == second["accounts"]
    assert first["control_token"] != second["control_token"]  # the token is per run
    assert stat.S_IMODE((tmp_path / "config" / "xacct" / "emulator-key-seed").stat().st_mode) == 0o600


@pytest.mark.emulator
def test_the_default_accounts_stay_the_three_of_before(tmp_path):
    info, _ = run_emulator(tmp_path, env={"EMULATOR_KEY_SEED": "s"})
    assert {name: a["id"] for name, a in info["accounts"].items()} == {
        "parent": "111111111111", "child": "222222222222", "outsider": "333333333333"}


@pytest.mark.emulator
def test_given_keys_are_used_as_given(tmp_path):
    info, _ = run_emulator(tmp_path, "--account", f"ci=666666666666:{GIVEN_KEY}:{GIVEN_SECRET}")
    assert info["accounts"]["ci"] == {"id": "666666666666", "access_key_id": GIVEN_KEY, "secret_access_key": GIVEN_SECRET}


@pytest.mark.emulator
def test_two_accounts_with_one_id_are_refused_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "xacct.emulator", "--account", "a=111111111111",
                             "--account", "b=111111111111", "--quiet"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "EMULATOR_KEY_SEED": "s"})
    assert result.returncode == 2
    assert result.stderr == "emulator: each account needs its own name and its own ID\n"


def exports_for(printed: str, account: str) -> dict[str, str]:
    lines = printed.splitlines()
    line = lines[lines.index(next(l for l in lines if l.startswith(f"# {account} account"))) + 1]
    return dict(pair.split("=", 1) for pair in line.split("export ", 1)[1].split())


def client_env(exports: dict[str, str]) -> dict[str, str]:
    """A clean environment: the printed exports and nothing else from AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, **exports, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


@pytest.mark.emulator
def test_the_printed_exports_work_for_boto3_and_the_aws_cli(tmp_path):
    """boto3/botocore read AWS_ENDPOINT_URL (Boto3 docs, "Configuration": service-specific
    endpoints) and AWS_DEFAULT_REGION; the AWS CLI v1 and v2 read the same variables (AWS CLI
    User Guide, "Environment variables to configure the AWS CLI")."""
    with running_emulator(tmp_path, env={"EMULATOR_KEY_SEED": "s"}) as (info, printed):
        exports = exports_for(printed, "child")
        assert exports["AWS_DEFAULT_REGION"] == exports["AWS_REGION"] == "us-east-1"
        assert exports["AWS_ENDPOINT_URL"] == info["endpoint_url"]
        boto = subprocess.run([sys.executable, "-c", "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"],
                              capture_output=True, text=True, timeout=60, env=client_env(exports))
        assert boto.stdout.strip() == "arn:aws:iam::222222222222:user/admin", boto.stderr[-500:]
        if shutil.which("aws") is None:
            pytest.skip("no AWS CLI on PATH: boto3 checked, the CLI not")
        cli = subprocess.run(["aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text"],
                             capture_output=True, text=True, timeout=120, env=client_env(exports))
        assert cli.stdout.strip() == "arn:aws:iam::222222222222:user/admin", cli.stderr[-500:]
