"""What the end-to-end tests share: invoking the Lambda, waiting for IAM to propagate and
checking that nothing is left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from xacct.paths import TESTS_DIR
from xacct.propagation import eventually_allowed

# The e2e suites' own Terraform roots, as .tf folders that fmt, validate and checkov see.
ROOTS = TESTS_DIR / "e2e" / "roots"


def invoke(target, function_name: str, event) -> dict:
    """Invoke synchronously in the child account and return the decoded result."""
    response = target.client("lambda", "child").invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    assert response["StatusCode"] == 200, response
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload  # the handler maps errors; it never crashes
    return payload


def actions_in(journal: list[dict], *actions: str) -> list[dict]:
    wanted = {a.lower() for a in actions}
    return [entry for entry in journal if entry["action"].lower() in wanted]


def leftovers(target, prefix: str) -> list[str]:
    """Everything named with `prefix` that still exists in any account of the emulator."""
    found = []
    for account in target.accounts:
        iam = target.client("iam", account)
        found += [f"{account}: role {r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
        found += [f"{account}: policy {p['PolicyName']}" for p in iam.list_policies(Scope="Local")["Policies"]
                  if p["PolicyName"].startswith(prefix)]
        found += [f"{account}: function {f['FunctionName']}" for f in target.client("lambda", account).list_functions()["Functions"]
                  if f["FunctionName"].startswith(prefix)]
        sagemaker = target.client("sagemaker", account)
        found += [f"{account}: endpoint {e['EndpointName']}" for e in sagemaker.list_endpoints()["Endpoints"]
                  if e["EndpointName"].startswith(prefix)]
        found += [f"{account}: model {m['ModelName']}" for m in sagemaker.list_models()["Models"] if m["ModelName"].startswith(prefix)]
        logs = target.client("logs", account)
        found += [f"{account}: log group {g['logGroupName']}" for g in logs.describe_log_groups()["logGroups"]
                  if g["logGroupName"].startswith(f"/aws/lambda/{prefix}")]
    return found


def session_from(credentials: dict, region: str):
    """A boto3 session from the Credentials block of an AssumeRole answer."""
    import boto3

    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=region)


@contextmanager
def deployed(target, root, prefix: str):
    """Apply `root` and yield its outputs; always destroy, then require that nothing named
    with `prefix` is left in any account."""
    try:
        root.init()
        root.apply()
        yield root.outputs()
    finally:
        root.close()  # destroys whatever the apply created, even after a failed assertion
        left = leftovers(target, prefix)
        assert not left, f"destroy left resources behind: {left}"


# --- IAM propagation (xacct/propagation.py) ----------------------------------------------------

def settled(target, *checks, what: str = "the deployment") -> list:
    """Wait until each positive check (a call) is no longer denied, and return their answers.

    Run right after the roles and grants a module's tests use were created, so that every test
    starts from IAM that has propagated: a positive test cannot fail for a role still on its
    way, and a negative test cannot be denied because of one. Skipped on the emulator without
    a propagation delay, where every change is in effect at once.
    """
    if getattr(target, "iam_propagation_seconds", None) == 0:
        return []
    return [eventually_allowed(check, what=f"{what}, check {index + 1}") for index, check in enumerate(checks)]


@contextmanager
def canary(target, name: str, account: str = "child"):
    """A role of `account` that any of its principals may assume if their own policies allow.

    Named beside the real resource of a grant under test (`"Resource": [real, canary]`), it
    lets a negative check prove that the grant is in effect before it asserts a denial by the
    real resource's trust: assuming the canary is the check's control (`eventually_denied(...,
    controls=[...])`). A grant is one policy document and reaches authorization whole.
    """
    iam = target.client("iam", account)
    account_id = target.accounts[account].id
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}}]}))["Role"]["Arn"]
    try:
        yield arn
    finally:
        iam.delete_role(RoleName=name)


def assume(target, session, role_arn: str, session_name: str = "probe", **kwargs):
    """A call (for the propagation checks) that assumes `role_arn` from `session`."""
    return lambda: target.client("sts", session=session).assume_role(RoleArn=role_arn, RoleSessionName=session_name, **kwargs)


# --- xacct-terraform ---------------------------------------------------------------------------

def write_info_file(target, path: Path) -> Path:
    """The emulator's connection details as `xacct-emulator --info-file` writes them, from the
    target's public attributes; skips on real AWS, where the wrapper has nothing to point at."""
    if not hasattr(target, "endpoint_url"):
        import pytest

        pytest.skip("xacct-terraform runs against the emulator only")
    path.write_text(json.dumps({
        "endpoint_url": target.endpoint_url, "region": target.region,
        "accounts": {name: {"id": a.id, "access_key_id": a.access_key_id, "secret_access_key": a.secret_access_key}
                     for name, a in target.accounts.items()}}))
    return path


def wrapper_command() -> list[str]:
    """The installed console script when there is one beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("xacct-terraform")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xacct.tfemu"]


def run_wrapper(root: Path, info_file: Path, *args: str, check: bool = True, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "XACCT_EMULATOR_INFO": str(info_file), "TF_IN_AUTOMATION": "1"}
    result = subprocess.run([*wrapper_command(), *args], cwd=root, env=env, capture_output=True, text=True, **popen)
    if check:
        assert result.returncode == 0, f"xacct-terraform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def assert_replan_clean(root) -> None:
    """A plan right after apply proposes nothing (terratest's idempotence check)."""
    plan = root.tf.execute_command("plan", "-input=false", "-no-color", "-detailed-exitcode")
    assert plan.retcode == 0, plan.out[-4000:]
