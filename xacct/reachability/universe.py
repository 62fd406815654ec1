"""The principals a real account has besides the modules' own, created with boto3 as each
account's administrator, and a way to act as each of them; everything is undone on close.

Besides the examples' invokers this adds, in the child account, a role and a user with an
sts:AssumeRole grant on the parent roles, a role and a user without one, and a role named
like an invoker's execution role but not matching its pattern; in the outsider account a
role with a grant of its own. The accounts' administrators (Action "*" on Resource "*")
are callers too. An invoker's execution role trusts only lambda.amazonaws.com, so the
universe acts as it through a probe function that runs under that role: the emulator's
Lambda runner mints the role's session as Lambda does.
"""

from __future__ import annotations

import io
import json
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import boto3

from xacct.reachability import probe
from xacct.reachability.intent import ANY_ROLE, Principal

PROBE_SOURCE = Path(probe.__file__)
PROBE_TIMEOUT_SECONDS = 120


@dataclass
class Caller:
    """A principal of the matrix and how to run the probe as it."""

    principal: Principal
    run: Callable[[list[dict], list[str], list[str]], list[dict]]


def _trust(principal: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}]})


def _grant(role_arns: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AssumeParentRoles", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": sorted(role_arns)}]})


def probe_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(PROBE_SOURCE, "probe.py")
    return buffer.getvalue()


class Universe:
    """Build with `with Universe(emulator, prefix) as u:`; close() deletes what it created."""

    def __init__(self, emulator, prefix: str):
        self.emulator = emulator
        self.prefix = prefix
        self.region = emulator.region
        self.callers: list[Caller] = []
        self._undo = ExitStack()
        self._clients: dict[tuple[str, str], object] = {}

    def __enter__(self) -> "Universe":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._undo.close()

    # --- acting as a principal ------------------------------------------------------------

    def _session(self, access_key_id: str, secret: str, token: str | None = None) -> boto3.Session:
        return boto3.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret,
                             aws_session_token=token, region_name=self.region)

    def _in_process(self, session: boto3.Session) -> Callable:
        def run(cases, endpoints, actions):
            return probe.probe(session, cases, endpoints, actions, endpoint_url=self.emulator.endpoint_url)
        return run

    def client(self, service: str, account: str):
        """One administrator client per service and account (creating a client is the slow part)."""
        if (service, account) not in self._clients:
            self._clients[(service, account)] = self.emulator.client(service, account)
        return self._clients[(service, account)]

    def account_id(self, account: str) -> str:
        return self.emulator.accounts[account].id

    # --- principals -----------------------------------------------------------------------

    def add_admin(self, account: str) -> None:
        a = self.emulator.accounts[account]
        principal = Principal(f"{account} admin (user)", f"arn:aws:iam::{a.id}:user/admin", frozenset({ANY_ROLE}))
        self.callers.append(Caller(principal, self._in_process(self._session(a.access_key_id, a.secret_access_key))))

    def add_role(self, account: str, label: str, name: str, grant_on: list[str]) -> None:
        """A role trusting its own account's root, acted as through the administrator's AssumeRole."""
        iam = self.client("iam", account)
        account_id = self.account_id(account)
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{account_id}:root"}))
        self._undo.callback(iam.delete_role, RoleName=name)
        if grant_on:
            iam.put_role_policy(RoleName=name, PolicyName="AssumeParentRoles", PolicyDocument=_grant(grant_on))
            self._undo.callback(iam.delete_role_policy, RoleName=name, PolicyName="AssumeParentRoles")
        arn = f"arn:aws:iam::{account_id}:role/{name}"
        credentials = self.client("sts", account).assume_role(RoleArn=arn, RoleSessionName="reachability")["Credentials"]
        session = self._session(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        self.callers.append(Caller(Principal(label, arn, frozenset(grant_on)), self._in_process(session)))

    def add_user(self, account: str, label: str, name: str, grant_on: list[str]) -> None:
        iam = self.client("iam", account)
        iam.create_user(UserName=name)
        self._undo.callback(iam.delete_user, UserName=name)
        if grant_on:
            iam.put_user_policy(UserName=name, PolicyName="AssumeParentRoles", PolicyDocument=_grant(grant_on))
            self._undo.callback(iam.delete_user_policy, UserName=name, PolicyName="AssumeParentRoles")
        key = iam.create_access_key(UserName=name)["AccessKey"]
        self._undo.callback(iam.delete_access_key, UserName=name, AccessKeyId=key["AccessKeyId"])
        arn = f"arn:aws:iam::{self.account_id(account)}:user/{name}"
        session = self._session(key["AccessKeyId"], key["SecretAccessKey"])
        self.callers.append(Caller(Principal(label, arn, frozenset(grant_on)), self._in_process(session)))

    def add_execution_role(self, label: str, role_arn: str, grants: list[str], function_name: str) -> None:
        """An invoker's execution role (child account), acted as through a probe function that runs under it."""
        lam = self.client("lambda", "child")
        lam.create_function(FunctionName=function_name, Runtime="python3.12", Role=role_arn, Handler="probe.lambda_handler",
                            Code={"ZipFile": probe_zip()}, Timeout=PROBE_TIMEOUT_SECONDS)
        self._undo.callback(lam.delete_function, FunctionName=function_name)
        client = self.emulator.client("lambda", "child", read_timeout=PROBE_TIMEOUT_SECONDS + 30, retries={"max_attempts": 1})

        def run(cases, endpoints, actions):
            response = client.invoke(FunctionName=function_name, Payload=json.dumps(
                {"cases": cases, "endpoints": endpoints, "actions": actions}).encode())
            payload = json.loads(response["Payload"].read())
            if "FunctionError" in response:
                raise RuntimeError(f"the probe function {function_name} failed: {payload}")
            return payload

        self.callers.append(Caller(Principal(label, role_arn, frozenset(grants)), run))

    # --- an endpoint no module names --------------------------------------------------------

    def add_unlisted_endpoint(self, name: str) -> str:
        """An endpoint in the parent account that no parent role's inputs name."""
        sagemaker = self.client("sagemaker", "parent")
        parent = self.account_id("parent")
        # CreateModel needs an execution role SageMaker can assume (only that service may assume it).
        iam = self.client("iam", "parent")
        role_arn = iam.create_role(RoleName=f"{name}-model", AssumeRolePolicyDocument=_trust(
            {"Service": "sagemaker.amazonaws.com"}))["Role"]["Arn"]
        self._undo.callback(iam.delete_role, RoleName=f"{name}-model")
        sagemaker.create_model(ModelName=f"{name}-model", ExecutionRoleArn=role_arn,
                               PrimaryContainer={"Image": f"{parent}.dkr.ecr.{self.region}.amazonaws.com/echo:1"})
        self._undo.callback(sagemaker.delete_model, ModelName=f"{name}-model")
        sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[{
            "VariantName": "AllTraffic", "ModelName": f"{name}-model", "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
        self._undo.callback(sagemaker.delete_endpoint_config, EndpointConfigName=f"{name}-config")
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
        self._undo.callback(sagemaker.delete_endpoint, EndpointName=name)
        return name

    # --- coverage ---------------------------------------------------------------------------

    def uncovered(self, targets: dict[str, str]) -> list[str]:
        """Users and roles of the run (and the administrators) that are neither a caller of the
        matrix nor listed in `targets` (ARN -> why it is not a caller)."""
        covered = {c.principal.arn for c in self.callers} | set(targets)
        found = []
        for account in self.emulator.accounts:
            iam = self.client("iam", account)
            arns = [u["Arn"] for u in iam.list_users()["Users"] if u["UserName"] == "admin" or u["UserName"].startswith(self.prefix)]
            arns += [r["Arn"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(self.prefix)]
            found += [arn for arn in arns if arn not in covered]
        return sorted(found)
