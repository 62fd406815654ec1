"""What the end-to-end tests share: invoking the Lambda and checking that nothing is left."""

from __future__ import annotations

import json
from contextlib import contextmanager


def invoke(emulator, function_name: str, event) -> dict:
    """Invoke synchronously in the child account and return the decoded result."""
    response = emulator.client("lambda", "child").invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    assert response["StatusCode"] == 200, response
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload  # the handler maps errors; it never crashes
    return payload


def actions_in(journal: list[dict], *actions: str) -> list[dict]:
    wanted = {a.lower() for a in actions}
    return [entry for entry in journal if entry["action"].lower() in wanted]


def leftovers(emulator, prefix: str) -> list[str]:
    """Everything named with `prefix` that still exists in any account of the emulator."""
    found = []
    for account in emulator.accounts:
        iam = emulator.client("iam", account)
        found += [f"{account}: role {r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
        found += [f"{account}: policy {p['PolicyName']}" for p in iam.list_policies(Scope="Local")["Policies"]
                  if p["PolicyName"].startswith(prefix)]
        found += [f"{account}: function {f['FunctionName']}" for f in emulator.client("lambda", account).list_functions()["Functions"]
                  if f["FunctionName"].startswith(prefix)]
        sagemaker = emulator.client("sagemaker", account)
        found += [f"{account}: endpoint {e['EndpointName']}" for e in sagemaker.list_endpoints()["Endpoints"]
                  if e["EndpointName"].startswith(prefix)]
        found += [f"{account}: model {m['ModelName']}" for m in sagemaker.list_models()["Models"] if m["ModelName"].startswith(prefix)]
        logs = emulator.client("logs", account)
        found += [f"{account}: log group {g['logGroupName']}" for g in logs.describe_log_groups()["logGroups"]
                  if g["logGroupName"].startswith(f"/aws/lambda/{prefix}")]
    return found


def session_from(credentials: dict, region: str):
    """A boto3 session from the Credentials block of an AssumeRole answer."""
    import boto3

    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=region)


@contextmanager
def deployed(emulator, root, prefix: str):
    """Apply `root` and yield its outputs; always destroy, then require that nothing named
    with `prefix` is left in any account."""
    try:
        root.init()
        root.apply()
        yield root.outputs()
    finally:
        root.close()  # destroys whatever the apply created, even after a failed assertion
        left = leftovers(emulator, prefix)
        assert not left, f"destroy left resources behind: {left}"
