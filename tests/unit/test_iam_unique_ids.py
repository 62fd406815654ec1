"""Trust policies are bound to the unique ID of the principal they name.

Specification: AWS IAM User Guide, "IAM identifiers" (Unique identifiers): "If you use
the ARN of a role or user in a resource-based policy and then delete and re-create it,
the policy no longer applies": IAM stores the principal's unique ID, and after the
deletion the policy shows the old ID (AROA... for a role, AIDA... for a user).  A trust
that names the account and tests aws:PrincipalArn in a condition is text, so it keeps
matching a re-created role -- the reason the parent module trusts account roots.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

from tests.unit.iam_world import (
    account_id, admin, allow, assume, client, doc, emulator, error_of, make_role, trust_statement, unique,
)

pytestmark = pytest.mark.unit


def child_root():
    return {"AWS": f"arn:aws:iam::{account_id('child')}:root"}


def invoker_role(name: str) -> dict:
    """A child role (an invoker's execution role, say) allowed to assume parent roles."""
    return make_role("child", doc(trust_statement(child_root())), doc(allow("sts:AssumeRole")), name=name)


def recreate(role: dict) -> dict:
    iam = admin("iam", "child")
    iam.delete_role_policy(RoleName=role["RoleName"], PolicyName="p0")
    iam.delete_role(RoleName=role["RoleName"])
    return invoker_role(role["RoleName"])


def session_of(role: dict):
    return assume(emulator().session("child"), role["Arn"])


def test_role_arn_trust_stops_matching_a_recreated_role_and_shows_the_old_id():
    """'Unique identifiers': after delete and re-create, the trust naming the role's ARN
    no longer applies, and IAM shows the deleted role's unique ID in its place."""
    invoker = invoker_role(unique("invoker"))
    parent_role = make_role("parent", doc(trust_statement({"AWS": invoker["Arn"]})))
    assert client("sts", assume(session_of(invoker), parent_role["Arn"])).get_caller_identity()

    again = recreate(invoker)
    assert again["Arn"] == invoker["Arn"] and again["RoleId"] != invoker["RoleId"]
    caller = client("sts", session_of(again)).get_caller_identity()["Arn"]
    assert error_of(assume, session_of(again), parent_role["Arn"]) == {
        "code": "AccessDenied", "status": 403,
        "message": f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {parent_role['Arn']}"}
    shown = admin("iam", "parent").get_role(RoleName=parent_role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"] == {"AWS": invoker["RoleId"]}
    assert invoker["RoleId"].startswith("AROA")


def test_account_root_trust_with_principal_arn_condition_survives_a_recreated_role():
    """'Unique identifiers' and 'AWS global condition context keys' (aws:PrincipalArn):
    the condition compares ARN text, so the re-created role matches again."""
    invoker = invoker_role(unique("invoker"))
    parent_role = make_role("parent", doc(trust_statement(
        child_root(), Condition={"ArnLike": {"aws:PrincipalArn": invoker["Arn"]}})))
    again = recreate(invoker)
    assert client("sts", assume(session_of(again), parent_role["Arn"])).get_caller_identity()
    shown = admin("iam", "parent").get_role(RoleName=parent_role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"] == child_root()


def test_deleted_user_is_replaced_by_its_unique_id_among_other_principals():
    """'Unique identifiers': a deleted user's ARN becomes its AIDA... ID; the other
    principals of the statement stay as written."""
    iam = admin("iam", "child")
    user = iam.create_user(UserName=unique("person"))["User"]
    parent_role = make_role("parent", doc(trust_statement({"AWS": [user["Arn"], child_root()["AWS"]]})))
    iam.delete_user(UserName=user["UserName"])
    shown = admin("iam", "parent").get_role(RoleName=parent_role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == [user["UserId"], child_root()["AWS"]]
    assert user["UserId"].startswith("AIDA")


def test_function_policy_naming_a_user_stops_matching_the_recreated_user():
    """'Unique identifiers' applies to every resource-based policy: a Lambda function
    policy granting a user by ARN shows the user's old ID once it is deleted, and a new
    user of the same name cannot invoke."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    role = make_role("parent", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    lam = emulator().client("lambda", "parent")
    function = lam.create_function(FunctionName=unique("fn"), Runtime="python3.8", Role=role["Arn"],
                                   Handler="index.handler", Code={"ZipFile": buffer.getvalue()})
    iam = admin("iam", "parent")
    name = unique("caller")

    def user_session():
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return iam.get_user(UserName=name)["User"], boto3.Session(
            aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
            region_name=emulator().region)

    user, session = user_session()
    lam.add_permission(FunctionName=function["FunctionName"], StatementId="caller", Action="lambda:InvokeFunction",
                       Principal=user["Arn"])
    invoke = client("lambda", session).invoke
    assert json.loads(invoke(FunctionName=function["FunctionName"], Payload=b'{"a": 1}')["Payload"].read()) == {"a": 1}

    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    shown = json.loads(lam.get_policy(FunctionName=function["FunctionName"])["Policy"])
    assert shown["Statement"][0]["Principal"] == {"AWS": user["UserId"]}
    again, session = user_session()
    assert again["UserId"] != user["UserId"]
    error = error_of(client("lambda", session).invoke, FunctionName=function["FunctionName"], Payload=b"{}")
    assert error["code"] == "AccessDeniedException" and error["message"].endswith(
        "because no identity-based policy allows the lambda:InvokeFunction action")
