"""A permissions boundary on an IAM user limits what its identity policies allow.

Specification: AWS IAM User Guide "Permissions boundaries for IAM entities" (the effective
permissions are the intersection of the identity-based policies and the boundary) and
"Policy evaluation logic"; IAM API Reference CreateUser (`PermissionsBoundary`),
PutUserPermissionsBoundary, DeleteUserPermissionsBoundary and GetUser.
"""

from __future__ import annotations

import inspect

import boto3
import pytest

from tests.unit.iam_world import (
    account_id, admin, allow, assume, doc, emulator, error_of, make_role, trust_statement, unique,
)

pytestmark = pytest.mark.unit

ONLY_IDENTITY = doc(allow("sts:GetCallerIdentity"))
NOT_A_POLICY = "arn:aws:s3:::a-bucket/not-a-policy"


@pytest.fixture(scope="module")
def target():
    """A parent role whose trust policy lets any principal of the child account assume it."""
    return make_role("parent", doc(trust_statement({"AWS": f"arn:aws:iam::{account_id('child')}:root"})))


def boundary(document: str) -> str:
    return admin("iam", "child").create_policy(PolicyName=unique("boundary"), PolicyDocument=document)["Policy"]["Arn"]


def user_session(**create_kwargs):
    """A child user allowed sts:AssumeRole by its identity policy, with its own keys."""
    iam = admin("iam", "child")
    name = iam.create_user(UserName=unique("bounded"), **create_kwargs)["User"]["UserName"]
    iam.put_user_policy(UserName=name, PolicyName="assume", PolicyDocument=doc(allow("sts:AssumeRole")))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                               region_name=emulator().region)


def test_boundary_given_to_create_user_limits_the_identity_policy(target):
    """CreateUser with PermissionsBoundary: a boundary that does not allow sts:AssumeRole
    denies it although the user's identity policy allows it; GetUser shows the boundary."""
    arn = boundary(ONLY_IDENTITY)
    name, session = user_session(PermissionsBoundary=arn)
    assert error_of(assume, session, target["Arn"])["code"] == "AccessDenied"
    assert admin("iam", "child").get_user(UserName=name)["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def test_put_and_delete_user_permissions_boundary(target):
    """PutUserPermissionsBoundary sets the limit, DeleteUserPermissionsBoundary lifts it."""
    iam = admin("iam", "child")
    name, session = user_session()
    assume(session, target["Arn"])
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=boundary(ONLY_IDENTITY))
    assert error_of(assume, session, target["Arn"])["code"] == "AccessDenied"
    iam.delete_user_permissions_boundary(UserName=name)
    assume(session, target["Arn"])
    assert "PermissionsBoundary" not in iam.get_user(UserName=name)["User"]


def test_a_boundary_that_allows_the_action_grants_nothing_by_itself(target):
    """The boundary only limits: with sts:AssumeRole in both, the call is allowed."""
    _, session = user_session(PermissionsBoundary=boundary(doc(allow("sts:*"))))
    assume(session, target["Arn"])


def test_an_invalid_boundary_arn_is_refused():
    """As for roles: a PermissionsBoundary that is not a policy ARN is InvalidParameterValue."""
    iam = admin("iam", "child")
    name = iam.create_user(UserName=unique("bounded"))["User"]["UserName"]
    error = error_of(iam.put_user_permissions_boundary, UserName=name, PermissionsBoundary=NOT_A_POLICY)
    assert (error["code"], error["status"]) == ("InvalidParameterValue", 400)
    error = error_of(iam.create_user, UserName=unique("bounded"), PermissionsBoundary=NOT_A_POLICY)
    assert (error["code"], error["status"]) == ("InvalidParameterValue", 400)


def test_moto_still_drops_the_boundary_this_module_keeps():
    """Fails loudly when a moto upgrade starts keeping user boundaries itself."""
    from moto.iam.models import User

    from xacct.emulator import iam_user_boundary

    assert "PermissionsBoundary" not in inspect.getsource(iam_user_boundary._ORIGINAL_CREATE_USER)
    assert "permissions_boundary" not in inspect.getsource(User.__init__)
