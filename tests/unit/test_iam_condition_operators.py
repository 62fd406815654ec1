"""The condition operators that read AWS's global condition keys, decided by the engine.

Each test cites the AWS IAM User Guide page whose rule it encodes: "IAM JSON policy
elements: Condition operators", "AWS global condition context keys" and "Single-valued
vs. multivalued context keys".
"""

from __future__ import annotations

import pytest

from xacct.emulator import conditions, policy

pytestmark = pytest.mark.unit

ACCOUNT = "111111111111"
SESSION = policy.Principal(
    arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/alice", account=ACCOUNT,
    principal_arn=f"arn:aws:iam::{ACCOUNT}:role/ops", is_role_session=True,
    principal_type="AssumedRole", user_id="AROAEXAMPLEID0000001:alice",
    tags=(("team", "blue"), ("Project", "x")),
)
USER = policy.Principal(
    arn=f"arn:aws:iam::{ACCOUNT}:user/bob", account=ACCOUNT, principal_arn=f"arn:aws:iam::{ACCOUNT}:user/bob",
    principal_type="User", user_id="AIDAEXAMPLEID0000002", username="bob",
)
ENDPOINT = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/model"
ALLOW = {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": "*"}


def decide(context, *statements, principal=SESSION):
    return policy.evaluate(action="sagemaker:InvokeEndpoint", resource=ENDPOINT, principal=principal,
                           identity_policies=[{"Version": "2012-10-17", "Statement": list(statements)}],
                           resource_account=ACCOUNT, context=context).allowed


def allowed_if(condition, context, principal=SESSION):
    return decide(context, {**ALLOW, "Condition": condition}, principal=principal)


# --- Date and time windows ------------------------------------------------------------

def test_date_operators_open_a_time_window():
    """'Condition operators', Date: DateGreaterThan/DateLessThan compare ISO 8601 times
    with aws:CurrentTime, the way organizations write a maintenance window."""
    window = {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
              "DateLessThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"}}
    assert allowed_if(window, {"aws:CurrentTime": "2026-01-15T12:00:00Z"})
    assert not allowed_if(window, {"aws:CurrentTime": "2026-02-01T00:00:01Z"})
    assert not allowed_if(window, {"aws:CurrentTime": "2025-12-31T23:59:59Z"})


def test_date_operators_accept_epoch_seconds():
    """'Condition operators', Date: values may be epoch (UNIX) time, compared with aws:EpochTime."""
    assert allowed_if({"DateLessThanEquals": {"aws:EpochTime": "1767225600"}}, {"aws:EpochTime": "1767225600"})
    assert not allowed_if({"DateLessThan": {"aws:EpochTime": 1767225600}}, {"aws:EpochTime": "1767225601"})
    assert allowed_if({"DateEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, {"aws:CurrentTime": "1767225600"})


def test_unparseable_date_matches_nothing():
    """'Condition operators', Date: a value that is not a date cannot satisfy a comparison."""
    assert not allowed_if({"DateGreaterThan": {"aws:CurrentTime": "soon"}}, {"aws:CurrentTime": "2026-01-01T00:00:00Z"})


# --- Numeric --------------------------------------------------------------------------

@pytest.mark.parametrize("operator, request_value, expected", [
    ("NumericEquals", "10", True), ("NumericEquals", "11", False),
    ("NumericNotEquals", "11", True), ("NumericNotEquals", "10", False),
    ("NumericLessThan", "9", True), ("NumericLessThan", "10", False),
    ("NumericLessThanEquals", "10", True), ("NumericLessThanEquals", "11", False),
    ("NumericGreaterThan", "11", True), ("NumericGreaterThan", "10", False),
    ("NumericGreaterThanEquals", "10", True), ("NumericGreaterThanEquals", "9.5", False),
])
def test_numeric_operators(operator, request_value, expected):
    """'Condition operators', Numeric: the six numeric comparisons."""
    assert allowed_if({operator: {"s3:max-keys": "10"}}, {"s3:max-keys": request_value}) is expected


# --- IP addresses ---------------------------------------------------------------------

def test_ip_address_matches_cidr_blocks_v4_and_v6():
    """'Condition operators', IP address: IpAddress matches an address or CIDR range
    (IPv4 or IPv6) against aws:SourceIp."""
    condition = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}}
    assert allowed_if(condition, {"aws:SourceIp": "203.0.113.7"})
    assert allowed_if(condition, {"aws:SourceIp": "2001:db8::1"})
    assert not allowed_if(condition, {"aws:SourceIp": "198.51.100.1"})


def test_not_ip_address_in_a_deny_blocks_outside_callers():
    """'AWS: Denies access to AWS based on the source IP' (IAM example policies): a Deny
    with NotIpAddress refuses every caller outside the ranges."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}}}
    assert decide({"aws:SourceIp": "192.0.2.10"}, ALLOW, deny)
    assert not decide({"aws:SourceIp": "10.1.2.3"}, ALLOW, deny)


# --- Region guard ---------------------------------------------------------------------

def test_region_guard_denies_other_regions():
    """'AWS: Denies access to AWS based on the requested Region' (IAM example policies):
    a Deny with StringNotEquals on aws:RequestedRegion leaves only the listed regions."""
    guard = {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}
    assert decide({"aws:RequestedRegion": "eu-west-1"}, ALLOW, guard)
    assert not decide({"aws:RequestedRegion": "us-east-1"}, ALLOW, guard)


# --- Negated operators and absent keys ------------------------------------------------

@pytest.mark.parametrize("operator, value", [
    ("StringNotEquals", "x"), ("StringNotLike", "x*"), ("StringNotEqualsIgnoreCase", "X"),
    ("ArnNotEquals", "arn:aws:iam::111111111111:role/x"), ("ArnNotLike", "arn:aws:iam::*:role/x"),
    ("NumericNotEquals", "1"), ("DateNotEquals", "2026-01-01T00:00:00Z"), ("NotIpAddress", "10.0.0.0/8"),
])
def test_negated_operators_are_true_when_the_key_is_absent(operator, value):
    """'Condition operators': "If the key that you specify in a policy condition is not
    present in the request context, the values do not match" -- so a negated operator
    (which requires no match) is true, and a positive one false."""
    assert allowed_if({operator: {"k": value}}, {})
    positive = {"StringNotEquals": "StringEquals", "NotIpAddress": "IpAddress"}.get(
        operator, operator.replace("Not", ""))
    assert not allowed_if({positive: {"k": value}}, {})


@pytest.mark.parametrize("qualifier, expected", [("ForAllValues", True), ("ForAnyValue", False)])
def test_set_qualifiers_on_absent_keys_with_negated_operators(qualifier, expected):
    """'Single-valued vs. multivalued context keys': ForAllValues returns true when the key
    is missing (an empty set), ForAnyValue returns false -- also with a negated operator."""
    assert allowed_if({f"{qualifier}:StringNotEquals": {"aws:TagKeys": ["secret"]}}, {}) is expected


@pytest.mark.parametrize("operator", ["DateLessThanIfExists", "NumericEqualsIfExists", "IpAddressIfExists",
                                      "BoolIfExists", "ArnLikeIfExists"])
def test_if_exists_forms_pass_absent_keys_and_check_present_ones(operator):
    """'Condition operators', ...IfExists: "If the policy key is present in the context of
    the request, process the key as specified in the policy. If the key is not present,
    evaluate the condition element as true"."""
    present_but_wrong = {"DateLessThanIfExists": "2030-01-01T00:00:00Z", "NumericEqualsIfExists": "2",
                         "IpAddressIfExists": "10.9.9.9", "BoolIfExists": "false",
                         "ArnLikeIfExists": "arn:aws:iam::222222222222:role/y"}[operator]
    value = {"DateLessThanIfExists": "2026-01-01T00:00:00Z", "NumericEqualsIfExists": "1",
             "IpAddressIfExists": "192.0.2.0/24", "BoolIfExists": "true",
             "ArnLikeIfExists": "arn:aws:iam::111111111111:role/*"}[operator]
    assert allowed_if({operator: {"k": value}}, {})
    assert not allowed_if({operator: {"k": value}}, {"k": present_but_wrong})


def test_bool_secure_transport_deny():
    """'AWS global condition context keys', aws:SecureTransport with Bool: the usual
    'deny unless TLS' statement refuses a request made over plain HTTP."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert decide({"aws:SecureTransport": "true"}, ALLOW, deny)
    assert not decide({"aws:SecureTransport": "false"}, ALLOW, deny)


# --- Keys that describe the caller ----------------------------------------------------

def test_principal_type_userid_and_username_come_from_the_caller():
    """'AWS global condition context keys': aws:PrincipalType is AssumedRole for a role
    session and User for a user; aws:userid is role-id:session-name or the user's ID;
    aws:username exists only for users."""
    assert allowed_if({"StringEquals": {"aws:PrincipalType": "AssumedRole"}}, {})
    assert allowed_if({"StringLike": {"aws:userid": "AROAEXAMPLEID0000001:*"}}, {})
    assert allowed_if({"Null": {"aws:username": "true"}}, {})
    assert allowed_if({"StringEquals": {"aws:PrincipalType": "User", "aws:username": "bob",
                                        "aws:userid": "AIDAEXAMPLEID0000002"}}, {}, principal=USER)


def test_caller_keys_cannot_be_supplied_by_the_request():
    """'AWS global condition context keys': principal keys are set by AWS from the
    authenticated caller; a request value does not replace them."""
    condition = {"StringEquals": {"aws:PrincipalType": "User"}}
    assert not allowed_if(condition, {"aws:PrincipalType": "User"})


def test_principal_tag_keys_are_case_insensitive():
    """'Controlling access for IAM principals' (aws:PrincipalTag/key-name): tag keys in
    condition keys are matched case-insensitively, values case-sensitively."""
    assert allowed_if({"StringEquals": {"aws:PrincipalTag/Team": "blue"}}, {})
    assert allowed_if({"StringEquals": {"aws:PrincipalTag/project": "x"}}, {})
    assert not allowed_if({"StringEquals": {"aws:PrincipalTag/team": "Blue"}}, {})


# --- Operators the engine refuses -----------------------------------------------------

def test_is_known_operator_separates_unknown_from_unsupported():
    """'Condition operators': BinaryEquals is a documented operator the engine does not
    evaluate (refused by name); a made-up name is invalid."""
    assert conditions.is_known_operator("ForAllValues:DateLessThanIfExists")
    assert conditions.is_known_operator("BinaryEquals")
    assert not conditions.is_known_operator("StringEqualz")
    with pytest.raises(conditions.UnsupportedPolicyFeature, match="'BinaryEquals' is not supported"):
        allowed_if({"BinaryEquals": {"k": "QUJD"}}, {"k": "QUJD"})
