"""Why the parent module trusts account roots: a re-created consumer role.

AWS IAM User Guide, "IAM identifiers" (Unique identifiers): a trust policy that names a
role by ARN is bound to the role's unique ID; when the role is deleted and re-created
(a consumer's `terraform destroy` and `apply`, say) the trust no longer matches, and
IAM shows the deleted role's ID (AROA...) in it.  The parent module instead trusts the
consumer account's root and tests aws:PrincipalArn in a condition, which is text and
matches the re-created role.  This applies the parent-account example on the emulator
next to a hand-written role-ARN trust, re-creates the consumer's role, and shows both.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import leftovers, session_from
from xacct.propagation import eventually_allowed, eventually_denied
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-unique-ids-1"


def consumer_role(target, name: str) -> dict:
    """The consumer's role, created by hand in the child account as its pipeline would."""
    iam = target.client("iam", "child")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"AWS": f"arn:aws:iam::{target.accounts['child'].id}:root"}}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="assume-parent", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    return role


def delete_consumer_role(target, name: str) -> None:
    iam = target.client("iam", "child")
    iam.delete_role_policy(RoleName=name, PolicyName="assume-parent")
    iam.delete_role(RoleName=name)


def assume_via(target, consumer: dict, target_arn: str, external_id: str | None = None):
    """Assume `target_arn` from a session of the consumer role; the AssumeRole answer or the error.
    The consumer role was created a moment ago: its own session waits for it to propagate."""
    session = session_from(eventually_allowed(lambda: target.client("sts", "child").assume_role(
        RoleArn=consumer["Arn"], RoleSessionName="consumer"), what="the consumer role")["Credentials"], target.region)
    sts = target.client("sts", session=session)
    kwargs = {"ExternalId": external_id} if external_id else {}
    return sts.assume_role(RoleArn=target_arn, RoleSessionName="invoke", **kwargs)


def test_role_arn_trust_breaks_and_module_trust_survives_a_recreated_role(target, run_prefix):
    prefix = f"{run_prefix}u-"
    child_id = target.accounts["child"].id
    name = f"{prefix}sagemaker-invoker-exec"
    consumer = consumer_role(target, name)
    parent_iam = target.client("iam", "parent")
    hand_written = parent_iam.create_role(RoleName=f"{prefix}hand-written", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": consumer["Arn"]}}]}))["Role"]
    parent = StagedRoot.example("parent-account", override=target.provider_override({"": "parent"}))
    try:
        parent.set_vars({
            "name_prefix": prefix,
            "trusted_account_ids": [child_id],
            "trusted_principal_arn_patterns": [consumer["Arn"]],
            "external_ids": [EXTERNAL_ID],
            "endpoint_names": [f"{prefix}model"],  # the trust is under test, not the endpoint
        })
        parent.init()
        parent.apply()
        module_role_arn = parent.outputs()["role_arn"]

        # Before: both trusts admit the consumer role (created, like the parent roles, a moment ago).
        assert eventually_allowed(lambda: assume_via(target, consumer, hand_written["Arn"]))["AssumedRoleUser"]
        assert eventually_allowed(lambda: assume_via(target, consumer, module_role_arn, EXTERNAL_ID))["AssumedRoleUser"]

        delete_consumer_role(target, name)
        recreated = consumer_role(target, name)
        assert recreated["Arn"] == consumer["Arn"] and recreated["RoleId"] != consumer["RoleId"]

        # After: the hand-written trust shows the old ID and refuses the new role ...
        shown = parent_iam.get_role(RoleName=hand_written["RoleName"])["Role"]["AssumeRolePolicyDocument"]
        assert shown["Statement"][0]["Principal"] == {"AWS": consumer["RoleId"]}
        # Once the re-created role and its grant are in effect (the control: the module's
        # account-root + aws:PrincipalArn trust still admits it), and the old role's deletion too.
        admitted = lambda: assume_via(target, recreated, module_role_arn, EXTERNAL_ID)  # noqa: E731
        message = eventually_denied(lambda: assume_via(target, recreated, hand_written["Arn"]),
                                    expect=f"is not authorized to perform: sts:AssumeRole on resource: {hand_written['Arn']}",
                                    controls=[admitted], what="the re-created role through the role-ARN trust")
        assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {hand_written['Arn']}")
        assert admitted()["AssumedRoleUser"]
        module_trust = parent_iam.get_role(RoleName=module_role_arn.rsplit("/", 1)[1])["Role"]["AssumeRolePolicyDocument"]
        assert module_trust["Statement"][0]["Principal"] == {"AWS": [f"arn:aws:iam::{child_id}:root"]}
    finally:
        parent.close()
        parent_iam.delete_role(RoleName=hand_written["RoleName"])
        delete_consumer_role(target, name)
        left = leftovers(target, prefix)
        assert not left, f"left behind: {left}"
