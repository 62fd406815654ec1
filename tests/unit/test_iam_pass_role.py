"""iam:PassRole, decided when a call hands a role to a service.

Specification: AWS IAM User Guide, "Grant a user permissions to pass a role to an AWS
service" (the caller needs iam:PassRole on the role; condition key iam:PassedToService),
"IAM and AWS STS condition context keys" (iam:PassedToService); Lambda API Reference
CreateFunction / UpdateFunctionConfiguration (Role) and SageMaker API Reference
CreateModel (ExecutionRoleArn).
"""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.unit.iam_world import (
    account_id, allow, client, doc, emulator, error_of, make_role, make_user, trust_statement, unique,
)

pytestmark = pytest.mark.unit


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def lambda_role():
    return make_role("child", doc(trust_statement({"Service": "lambda.amazonaws.com"})))


@pytest.fixture(scope="module")
def sagemaker_role():
    return make_role("child", doc(trust_statement({"Service": "sagemaker.amazonaws.com"})))


def create_function(session, role_arn: str):
    return client("lambda", session).create_function(
        FunctionName=unique("fn"), Runtime="python3.8", Role=role_arn, Handler="index.handler",
        Code={"ZipFile": code_zip()})


def create_model(session, role_arn: str):
    return client("sagemaker", session).create_model(
        ModelName=unique("model"), ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": f"{account_id('parent')}.dkr.ecr.us-east-1.amazonaws.com/echo:1"})


def pass_role_denied(user, role) -> dict:
    return {"code": "AccessDeniedException", "status": 403, "message": (
        f"User: {user['Arn']} is not authorized to perform: iam:PassRole on resource: {role['Arn']} "
        "because no identity-based policy allows the iam:PassRole action")}


def test_create_function_needs_pass_role_on_the_execution_role(lambda_role):
    """'Grant a user permissions to pass a role': lambda:CreateFunction alone does not let
    a caller give a function a role; iam:PassRole on that role must be allowed too."""
    user, without = make_user("child", doc(allow(["lambda:CreateFunction", "lambda:GetFunction"])))
    assert error_of(create_function, without, lambda_role["Arn"]) == pass_role_denied(user, lambda_role)
    _, with_pass = make_user("child", doc(allow("lambda:CreateFunction"), allow("iam:PassRole", lambda_role["Arn"])))
    assert create_function(with_pass, lambda_role["Arn"])["Role"] == lambda_role["Arn"]


def test_passed_to_service_condition(lambda_role):
    """'IAM and AWS STS condition context keys', iam:PassedToService: the service the role
    is passed to (lambda.amazonaws.com for Lambda)."""
    only_sagemaker = allow("iam:PassRole", lambda_role["Arn"],
                           Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})
    user, session = make_user("child", doc(allow("lambda:CreateFunction"), only_sagemaker))
    assert error_of(create_function, session, lambda_role["Arn"]) == pass_role_denied(user, lambda_role)
    only_lambda = allow("iam:PassRole", lambda_role["Arn"],
                        Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})
    _, session = make_user("child", doc(allow("lambda:CreateFunction"), only_lambda))
    assert create_function(session, lambda_role["Arn"])


def test_update_function_configuration_passing_a_role_needs_pass_role(lambda_role):
    """UpdateFunctionConfiguration with Role passes that role; without Role it passes none."""
    other = make_role("child", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    function = create_function(emulator().session("child"), lambda_role["Arn"])
    user, session = make_user("child", doc(allow("lambda:UpdateFunctionConfiguration")))
    update = client("lambda", session).update_function_configuration
    assert error_of(update, FunctionName=function["FunctionName"], Role=other["Arn"]) == pass_role_denied(user, other)
    assert update(FunctionName=function["FunctionName"], Timeout=10)["Timeout"] == 10


def test_explicit_deny_on_pass_role_wins(lambda_role):
    """'Policy evaluation logic': an explicit Deny on iam:PassRole overrides the Allow."""
    user, session = make_user("child", doc(allow(["lambda:CreateFunction", "iam:PassRole"]),
                                           {"Effect": "Deny", "Action": "iam:PassRole", "Resource": lambda_role["Arn"]}))
    error = error_of(create_function, session, lambda_role["Arn"])
    assert error["code"] == "AccessDeniedException" and error["message"] == (
        f"User: {user['Arn']} is not authorized to perform: iam:PassRole on resource: {lambda_role['Arn']} "
        "with an explicit deny in an identity-based policy")


def test_sagemaker_create_model_needs_pass_role_on_the_execution_role(sagemaker_role):
    """SageMaker CreateModel: "the caller of this API must have the iam:PassRole permission"
    for ExecutionRoleArn."""
    user, without = make_user("child", doc(allow("sagemaker:CreateModel")))
    assert error_of(create_model, without, sagemaker_role["Arn"]) == pass_role_denied(user, sagemaker_role)
    _, with_pass = make_user("child", doc(allow("sagemaker:CreateModel"), allow(
        "iam:PassRole", sagemaker_role["Arn"], Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})))
    assert create_model(with_pass, sagemaker_role["Arn"])["ModelArn"]
