"""lambda:InvokeFunction across accounts: the function's resource-based policy and the
caller's identity policy must both allow; in the same account either one is enough.

Specification: AWS IAM User Guide, "Cross-account policy evaluation logic" and "Policy
evaluation logic" (same-account resource-based policies); Lambda Developer Guide,
"Using resource-based policies for Lambda" (granting function access to other accounts).
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.unit.iam_world import (
    account_id, allow, client, doc, emulator, error_of, make_role, make_user, trust_statement, unique,
)

pytestmark = pytest.mark.unit


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'echo': event}\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def parent_function():
    """A function in the parent account whose policy lets the child account invoke it."""
    role = make_role("parent", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    lam = emulator().client("lambda", "parent")
    function = lam.create_function(FunctionName=unique("shared"), Runtime="python3.8", Role=role["Arn"],
                                   Handler="index.handler", Code={"ZipFile": code_zip()})
    lam.add_permission(FunctionName=function["FunctionName"], StatementId="child", Action="lambda:InvokeFunction",
                       Principal=account_id("child"))
    return function


@pytest.fixture(scope="module")
def private_function():
    """A function in the parent account without any resource-based policy."""
    role = make_role("parent", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    return emulator().client("lambda", "parent").create_function(
        FunctionName=unique("private"), Runtime="python3.8", Role=role["Arn"], Handler="index.handler",
        Code={"ZipFile": code_zip()})


def invoke(session, function_arn: str):
    answer = client("lambda", session).invoke(FunctionName=function_arn, Payload=json.dumps({"n": 1}))
    return json.loads(answer["Payload"].read())


def test_cross_account_invoke_with_both_policies_allowing_runs_the_function(parent_function):
    """Cross-account: the resource policy names the caller's account and the caller's
    identity policy allows lambda:InvokeFunction on the function."""
    _, session = make_user("child", doc(allow("lambda:InvokeFunction", parent_function["FunctionArn"])))
    assert invoke(session, parent_function["FunctionArn"]) == {"echo": {"n": 1}}


def test_cross_account_invoke_with_only_the_resource_policy_is_denied(parent_function):
    """Cross-account: the resource policy alone is not enough; the caller's account must
    allow too ('because no identity-based policy allows')."""
    user, session = make_user("child", doc(allow("sts:GetCallerIdentity")))
    assert error_of(invoke, session, parent_function["FunctionArn"]) == {
        "code": "AccessDeniedException", "status": 403, "message": (
            f"User: {user['Arn']} is not authorized to perform: lambda:InvokeFunction on resource: "
            f"{parent_function['FunctionArn']} because no identity-based policy allows the lambda:InvokeFunction action")}


def test_cross_account_invoke_with_only_the_identity_policy_is_denied(private_function):
    """Cross-account: the identity policy alone is not enough ('because no resource-based
    policy allows')."""
    user, session = make_user("child", doc(allow("lambda:InvokeFunction")))
    assert error_of(invoke, session, private_function["FunctionArn"]) == {
        "code": "AccessDeniedException", "status": 403, "message": (
            f"User: {user['Arn']} is not authorized to perform: lambda:InvokeFunction on resource: "
            f"{private_function['FunctionArn']} because no resource-based policy allows the lambda:InvokeFunction action")}


def test_same_account_needs_only_one_of_them(private_function):
    """Same account: an identity policy allow is enough without a function policy."""
    _, session = make_user("parent", doc(allow("lambda:InvokeFunction", private_function["FunctionArn"])))
    assert invoke(session, private_function["FunctionArn"]) == {"echo": {"n": 1}}
    _, session = make_user("parent", doc(allow("sts:GetCallerIdentity")))
    assert error_of(invoke, session, private_function["FunctionArn"])["code"] == "AccessDeniedException"


def test_same_account_resource_policy_naming_the_caller_is_enough(parent_function):
    """Same account: a resource policy that names the caller's ARN allows without any
    identity policy ('Policy evaluation logic', resource-based policies)."""
    user, session = make_user("parent", doc(allow("sts:GetCallerIdentity")))
    emulator().client("lambda", "parent").add_permission(
        FunctionName=parent_function["FunctionName"], StatementId=unique("user"), Action="lambda:InvokeFunction",
        Principal=user["Arn"])
    assert invoke(session, parent_function["FunctionArn"]) == {"echo": {"n": 1}}
