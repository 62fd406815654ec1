"""Global condition keys the emulator sets on every request, decided over real HTTP.

AWS IAM User Guide, "AWS global condition context keys": aws:RequestedRegion,
aws:CurrentTime, aws:EpochTime, aws:SecureTransport, aws:SourceIp, aws:PrincipalType,
aws:userid, aws:username, aws:PrincipalAccount, aws:PrincipalArn are present in every
request's context.  The decisions go through sts:AssumeRole across accounts, which needs
the caller's identity policy (the one carrying the condition under test) and the trust.
"""

from __future__ import annotations

import datetime

import pytest

from tests.unit.iam_world import (
    account_id, admin, allow, assume, client, doc, error_of, make_role, make_user, trust_statement,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def target_role():
    trust = doc(trust_statement({"AWS": f"arn:aws:iam::{account_id('child')}:root"}))
    return make_role("parent", trust)


def try_assume(role, *statements):
    user, session = make_user("child", doc(*statements))
    return user, session, lambda: assume(session, role["Arn"])


def denied(role, *statements) -> dict:
    user, _, call = try_assume(role, *statements)
    error = error_of(call)
    assert error["code"] == "AccessDenied" and error["status"] == 403
    assert error["message"] == f"User: {user['Arn']} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}"
    return error


def allowed(role, *statements) -> None:
    _, _, call = try_assume(role, *statements)
    assert client("sts", call()).get_caller_identity()["Arn"].startswith(
        f"arn:aws:sts::{account_id('parent')}:assumed-role/{role['RoleName']}/")


def test_region_guard_denies_requests_outside_the_allowed_regions(target_role):
    """'AWS: Denies access to AWS based on the requested Region' (IAM example policies):
    the emulator's region is us-east-1, so a guard listing only EU regions denies."""
    guard = {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}
    denied(target_role, allow("sts:AssumeRole"), guard)
    guard["Condition"]["StringNotEquals"]["aws:RequestedRegion"].append("us-east-1")
    allowed(target_role, allow("sts:AssumeRole"), guard)


def test_time_window_on_current_and_epoch_time(target_role):
    """'Condition operators', Date, with aws:CurrentTime and aws:EpochTime: access only
    inside a window, evaluated against the time of the request."""
    now = datetime.datetime.now(datetime.timezone.utc)
    iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    open_window = {"DateGreaterThan": {"aws:CurrentTime": iso(now - datetime.timedelta(hours=1))},
                   "DateLessThan": {"aws:EpochTime": str(int((now + datetime.timedelta(hours=1)).timestamp()))}}
    closed_window = {"DateGreaterThan": {"aws:CurrentTime": iso(now - datetime.timedelta(hours=2))},
                     "DateLessThan": {"aws:CurrentTime": iso(now - datetime.timedelta(hours=1))}}
    allowed(target_role, allow("sts:AssumeRole", Condition=open_window))
    denied(target_role, allow("sts:AssumeRole", Condition=closed_window))


def test_secure_transport_is_false_over_plain_http(target_role):
    """aws:SecureTransport 'Bool' key: whether the request was sent over TLS; the emulator
    serves plain HTTP, so the usual deny-unless-TLS statement refuses."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    denied(target_role, allow("sts:AssumeRole"), deny)
    allowed(target_role, allow("sts:AssumeRole", Condition={"Bool": {"aws:SecureTransport": "false"}}))


def test_source_ip_is_the_callers_address(target_role):
    """aws:SourceIp with IpAddress: the requester's IP address (loopback here)."""
    allowed(target_role, allow("sts:AssumeRole", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
    denied(target_role, allow("sts:AssumeRole", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))


def test_principal_keys_describe_the_calling_user(target_role):
    """aws:PrincipalType (User), aws:PrincipalAccount, aws:username and aws:userid (the
    user's unique ID) are set from the authenticated user."""
    user, session = make_user("child")
    statement = allow("sts:AssumeRole", Condition={"StringEquals": {
        "aws:PrincipalType": "User", "aws:PrincipalAccount": account_id("child"),
        "aws:username": user["UserName"], "aws:userid": user["UserId"]}})
    admin("iam", "child").put_user_policy(UserName=user["UserName"], PolicyName="p1", PolicyDocument=doc(statement))
    assert client("sts", assume(session, target_role["Arn"])).get_caller_identity()
    wrong = allow("sts:AssumeRole", Condition={"StringEquals": {"aws:PrincipalType": "AssumedRole"}})
    denied(target_role, wrong)


def test_role_session_keys_in_a_chained_call():
    """aws:PrincipalType is AssumedRole and aws:userid is role-id:session-name for a
    role session; aws:PrincipalArn is the role's ARN."""
    child = account_id("child")
    middle = make_role("child", doc(trust_statement({"AWS": f"arn:aws:iam::{child}:root"})))
    last = make_role("parent", doc(trust_statement({"AWS": f"arn:aws:iam::{child}:root"})))
    admin("iam", "child").put_role_policy(RoleName=middle["RoleName"], PolicyName="chain", PolicyDocument=doc(
        allow("sts:AssumeRole", last["Arn"], Condition={
            "StringEquals": {"aws:PrincipalType": "AssumedRole", "aws:PrincipalArn": middle["Arn"]},
            "StringLike": {"aws:userid": f"{middle['RoleId']}:first"}})))
    _, user_session = make_user("child", doc(allow("sts:AssumeRole")))
    first = assume(user_session, middle["Arn"], RoleSessionName="first")
    assert client("sts", assume(first, last["Arn"])).get_caller_identity()
    second = assume(user_session, middle["Arn"], RoleSessionName="second")
    assert error_of(assume, second, last["Arn"])["code"] == "AccessDenied"


def test_unsupported_feature_answers_in_the_services_error_shape(target_role):
    """A policy feature the engine does not evaluate fails loudly, as an STS XML error
    naming the feature (botocore parses code and message), never an HTML page."""
    user, session = make_user("child", doc(allow("sts:AssumeRole", Condition={"BinaryEquals": {"k": "QUJD"}})))
    error = error_of(assume, session, target_role["Arn"])
    assert error["status"] == 501 and error["code"] == "NotImplemented"
    assert error["message"] == ("The emulator does not evaluate this policy feature: "
                                "condition operator 'BinaryEquals' is not supported")


def test_principal_tag_of_a_user_comes_from_its_iam_tags():
    """aws:PrincipalTag/key-name: "the tag attached to the principal making the request"
    (for a user, its IAM tags)."""
    gate = make_role("parent", doc(trust_statement({"AWS": f"arn:aws:iam::{account_id('child')}:root"},
                                                   Condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})))
    user, session = make_user("child", doc(allow("sts:AssumeRole")))
    assert error_of(assume, session, gate["Arn"])["code"] == "AccessDenied"
    admin("iam", "child").tag_user(UserName=user["UserName"], Tags=[{"Key": "Team", "Value": "blue"}])
    assert client("sts", assume(session, gate["Arn"])).get_caller_identity()
