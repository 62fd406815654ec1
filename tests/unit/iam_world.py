"""One emulator shared by the IAM engine's request-level tests, and small builders for them.

The emulator runs as its own process (`EmulatorProcess`), so its moto state is its own;
the tests talk to it over HTTP with boto3, as every caller does.
"""

from __future__ import annotations

import atexit
import json
import uuid

import boto3

import pytest
from botocore.exceptions import ClientError

from xacct.emulator.client import EmulatorProcess

_EMULATOR: EmulatorProcess | None = None


def emulator() -> EmulatorProcess:
    global _EMULATOR
    if _EMULATOR is None:
        _EMULATOR = EmulatorProcess().start()
        atexit.register(_EMULATOR.stop)
    return _EMULATOR


def account_id(name: str) -> str:
    return emulator().accounts[name].id


def admin(service: str, account: str = "child"):
    return emulator().client(service, account, retries={"max_attempts": 1, "mode": "standard"})


def client(service: str, session: boto3.Session):
    return emulator().client(service, session=session, retries={"max_attempts": 1, "mode": "standard"})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust_statement(principal, action="sts:AssumeRole", **extra) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": action, **extra}


def make_role(account: str, trust: str, *policies: str, name: str | None = None, **kwargs) -> dict:
    iam = admin("iam", account)
    role = iam.create_role(RoleName=name or unique("role"), AssumeRolePolicyDocument=trust, **kwargs)["Role"]
    for index, policy in enumerate(policies):
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName=f"p{index}", PolicyDocument=policy)
    return role


def make_user(account: str, *policies: str) -> tuple[dict, boto3.Session]:
    """A user with the given inline policies and a session signed with its own keys."""
    iam = admin("iam", account)
    user = iam.create_user(UserName=unique("user"))["User"]
    for index, policy in enumerate(policies):
        iam.put_user_policy(UserName=user["UserName"], PolicyName=f"p{index}", PolicyDocument=policy)
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    return user, boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                               region_name=emulator().region)


def assume(session: boto3.Session, role_arn: str, **kwargs) -> boto3.Session:
    credentials = client("sts", session).assume_role(
        RoleArn=role_arn, RoleSessionName=kwargs.pop("RoleSessionName", "tests"), **kwargs)["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=emulator().region)


def error_of(call, *args, **kwargs) -> dict:
    """The AWS error a call answers with (code, message, HTTP status); fails if it succeeds."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    error = raised.value.response["Error"]
    return {"code": error.get("Code"), "message": error.get("Message"),
            "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"]}


