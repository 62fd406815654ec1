"""The policy engine's rules that no other test pinned down (xacct/emulator/policy.py).

Each test cites the AWS IAM User Guide page whose rule it encodes. The refusal messages are
the engine's own: IAM reports these mistakes as MalformedPolicyDocument with texts this
project has not confirmed word for word, so the tests pin the engine's message exactly only
to prove that the check which was meant to refuse is the one that did.
"""

from __future__ import annotations

import re

import pytest

from xacct.emulator import policy

pytestmark = pytest.mark.unit

ACCOUNT, OTHER = "111111111111", "222222222222"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ops"
SESSION = policy.Principal(arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/ops/alice", account=ACCOUNT,
                           principal_arn=ROLE, is_role_session=True)
ENDPOINT = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/model"
INVOKE = "sagemaker:InvokeEndpoint"


def doc(*statements, **top):
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def allow(**extra):
    return {"Effect": "Allow", "Action": INVOKE, "Resource": "*", **extra}


def decide(identity=(doc(allow()),), principal=SESSION, action=INVOKE, resource=ENDPOINT, account=ACCOUNT, **kwargs):
    return policy.evaluate(action=action, resource=resource, principal=principal, identity_policies=list(identity),
                           resource_account=account, **kwargs)


def refused(error, message, **kwargs):
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# --- "IAM JSON policy element reference": what a document may contain -------------------

@pytest.mark.parametrize("bad, message", [
    (doc(allow(), Extra=1), "policy has unknown top-level element(s): ['Extra']"),
    (["not", "an", "object"], "policy must be a JSON object"),
    (doc(allow(Resource=[])), "Statement[0] Resource must be a string or a non-empty list of strings"),
    (doc(allow(Action=["sagemaker:*", 5])), "Statement[0] Action must be a string or a non-empty list of strings"),
    (doc({"Effect": "Deny", "NotAction": [], "Resource": "*"}),
     "Statement[0] NotAction must be a string or a non-empty list of strings"),
    (doc(allow(), {"Effect": "Deny", "NotAction": "x:y", "NotResource": ""}),
     "Statement[1] NotResource must be a string or a non-empty list of strings"),
    (doc(allow(Action="InvokeEndpoint")), "Statement[0] action 'InvokeEndpoint' must be prefixed by a service namespace"),
    (doc(allow(NotAction="x:y")), "Statement[0] cannot contain both Action and NotAction"),
    (doc(allow(NotResource="*")), "Statement[0] cannot contain both Resource and NotResource"),
    (doc(allow(Principal="*", NotPrincipal="*")), "Statement[0] cannot contain both Principal and NotPrincipal"),
    (doc(allow(Condition=["StringEquals"])), "Statement[0] Condition must map operators to {key: value(s)} objects"),
    (doc(allow(Condition={"StringEquals": "x"})), "Statement[0] Condition must map operators to {key: value(s)} objects"),
    (doc("Allow"), "Statement[0] must be a JSON object"),
    ({"Version": "2012-10-17", "Statement": "x"}, "policy must contain a non-empty Statement"),
    (doc(allow(Effect="allow")), "Statement[0] Effect must be 'Allow' or 'Deny', got 'allow'"),
])
def test_malformed_documents_are_refused_by_the_rule_they_break(bad, message):
    """'IAM JSON policy element reference': Version, Id and Statement are the top-level
    elements; Action/Resource take a string or an array of strings, each action
    "service:action"; an element and its Not form are mutually exclusive; Condition is a
    block of operator -> {key: value} objects."""
    with refused(ValueError, message):
        policy.parse_policy(bad)


def test_a_document_without_version_and_with_an_id_is_accepted():
    """'IAM JSON policy elements: Version': without Version, 2008-10-17 applies."""
    parsed = policy.parse_policy({"Id": "p1", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    assert parsed == {"Id": "p1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert policy.parse_policy(b'{"Version": "2008-10-17", "Statement": [{"Effect": "Deny", "Action": "*"}]}')


@pytest.mark.parametrize("value", ["yes", "1", ""])
def test_null_takes_only_true_or_false(value):
    """'Condition operators', Null: the value is true (the key is absent) or false (present)."""
    with refused(ValueError, f"Null condition values must be 'true' or 'false', got {value!r}"):
        decide([doc(allow(Condition={"Null": {"aws:TokenIssueTime": value}}))])


def test_null_accepts_json_booleans_and_either_case():
    assert decide([doc(allow(Condition={"Null": {"aws:TokenIssueTime": True}}))]).allowed
    assert not decide([doc(allow(Condition={"Null": {"aws:PrincipalArn": "TRUE"}}))]).allowed


def test_principal_is_refused_in_identity_policies_and_required_in_resource_policies():
    """'IAM JSON policy elements: Principal': you cannot use Principal in an identity-based
    policy; you must use it in resource-based policies."""
    with refused(ValueError, "identity-based, session and boundary policies cannot contain Principal"):
        decide([doc(allow(Principal="*"))])
    with refused(ValueError, "every statement of a resource-based policy must have a Principal"):
        decide(resource_policy=doc({"Effect": "Allow", "Action": INVOKE}))
    with refused(policy.UnsupportedPolicyFeature, "NotPrincipal is not supported"):
        decide(resource_policy=doc({"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": INVOKE}))


def test_identity_statements_need_a_resource():
    """'IAM JSON policy elements: Resource': identity-based policy statements must include
    Resource or NotResource."""
    with refused(ValueError, "identity-based policy statements must contain Resource or NotResource"):
        decide([doc({"Effect": "Allow", "Action": INVOKE})])


@pytest.mark.parametrize("principal", [{}, {"Users": ROLE}, {"AWS": 5}, {"AWS": [ROLE, None]}, ["AWS"], ROLE],
                         ids=["empty", "unknown-type", "number", "null-in-list", "list", "bare-string"])
def test_an_empty_unknown_or_malformed_principal_is_refused(principal):
    """'IAM JSON policy elements: Principal': "*" or an object whose keys are AWS, Service,
    Federated or CanonicalUser, each a string or an array of strings."""
    with refused(ValueError, f"malformed Principal element: {principal!r}"):
        decide(resource_policy=doc({"Effect": "Allow", "Principal": principal, "Action": INVOKE}))


def test_a_principal_may_use_every_principal_type_at_once():
    principal = {"AWS": ROLE, "Service": "lambda.amazonaws.com", "Federated": "cognito-identity.amazonaws.com",
                 "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}
    decision = decide(identity=[], resource_policy=doc({"Effect": "Allow", "Principal": principal, "Action": INVOKE}))
    assert decision == policy.Decision(True, "allowed")


@pytest.mark.parametrize("element", ["Resource", "NotResource"])
def test_policy_variables_are_refused_in_resource_and_not_resource(element):
    """'Policy variables': their value comes from request data the engine does not model."""
    text = f"arn:aws:sagemaker:*:{ACCOUNT}:endpoint/${{aws:username}}"
    statement = {"Effect": "Allow", "Action": INVOKE, element: text}
    with refused(policy.UnsupportedPolicyFeature, f"policy variables are not supported: {text!r}"):
        decide([doc(statement)])


# --- "IAM JSON policy elements: Action / NotAction" --------------------------------------

def test_not_action_matches_action_names_case_insensitively():
    """'IAM JSON policy elements: NotAction' with 'Action': action names are not case
    sensitive, so a NotAction written in another case still excludes the action."""
    deny_everything_else = doc(allow(), {"Effect": "Deny", "NotAction": "SAGEMAKER:invokeendpoint", "Resource": "*"})
    assert decide([deny_everything_else]) == policy.Decision(True, "allowed")
    assert decide([deny_everything_else], action="sagemaker:DescribeEndpoint") == policy.Decision(
        False, "explicit_deny_identity")


# --- "AWS global condition context keys" ------------------------------------------------

def test_principal_account_is_the_callers_account_and_cannot_be_supplied():
    """aws:PrincipalAccount: the account the requesting principal belongs to."""
    same = doc(allow(Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}))
    other = doc(allow(Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}}))
    assert decide([same]) == policy.Decision(True, "allowed")
    assert decide([other], context={"aws:PrincipalAccount": OTHER}) == policy.Decision(False, "no_identity_allow")


# --- "IAM JSON policy elements: Principal" in resource-based policies --------------------

def test_a_service_principal_statement_beside_an_aws_one_does_not_hide_it():
    """A statement naming only a service principal never names our callers; the AWS one
    beside it still grants."""
    resource_policy = doc({"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": INVOKE},
                          {"Effect": "Allow", "Principal": {"AWS": SESSION.arn}, "Action": INVOKE})
    assert decide(identity=[], resource_policy=resource_policy) == policy.Decision(True, "allowed")


def test_a_deny_naming_the_caller_in_a_resource_policy_is_final():
    """'Policy evaluation logic': an explicit deny in a resource-based policy that names the
    caller (here by its role) overrides every allow."""
    resource_policy = doc({"Effect": "Allow", "Principal": "*", "Action": INVOKE},
                          {"Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": INVOKE})
    assert decide(resource_policy=resource_policy) == policy.Decision(False, "explicit_deny_resource")
    other_role = doc({"Effect": "Allow", "Principal": "*", "Action": INVOKE},
                     {"Effect": "Deny", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"}, "Action": INVOKE})
    assert decide(resource_policy=other_role) == policy.Decision(True, "allowed")


@pytest.mark.parametrize("partition", ["aws-cn", "aws-us-gov"])
def test_account_principals_are_recognised_in_every_partition(partition):
    """'IAM JSON policy elements: Principal': arn:PARTITION:iam::ACCOUNT:root names the
    account; the partition is part of the ARN (aws-cn in China, aws-us-gov in GovCloud)."""
    caller = policy.Principal(arn=f"arn:{partition}:sts::{OTHER}:assumed-role/app/s", account=OTHER,
                              principal_arn=f"arn:{partition}:iam::{OTHER}:role/app", is_role_session=True)
    role = f"arn:{partition}:iam::{ACCOUNT}:role/target"
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"})
    may_assume = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    assert decide([may_assume], principal=caller, action="sts:AssumeRole", resource=role,
                  resource_policy=trust) == policy.Decision(True, "allowed")
    root = policy.Principal(arn=f"arn:{partition}:iam::{ACCOUNT}:root", account=ACCOUNT,
                            principal_arn=f"arn:{partition}:iam::{ACCOUNT}:root")
    assert decide(identity=[], principal=root) == policy.Decision(True, "allowed")


# --- Trust policies decide session tags and source identity ------------------------------

@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession",
                                    "STS:SetSourceIdentity"])
def test_trust_actions_need_the_trust_policy_even_in_the_same_account(action):
    """'Passing session tags in AWS STS' and 'Monitor and control actions taken with assumed
    roles': the role's trust policy must allow sts:TagSession and sts:SetSourceIdentity, as
    it must allow sts:AssumeRole*, whatever the caller's own policies allow."""
    assert policy.is_trust_action(action)
    everything = doc({"Effect": "Allow", "Action": "sts:*", "Resource": "*"})
    trust_for_someone_else = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/other"},
                                  "Action": "sts:*"})
    assert decide([everything], action=action, resource=f"arn:aws:iam::{ACCOUNT}:role/target",
                  resource_policy=trust_for_someone_else) == policy.Decision(False, "no_resource_allow")


def test_other_sts_actions_are_decided_by_identity_policies():
    assert not policy.is_trust_action("sts:GetCallerIdentity")
    assert not policy.is_trust_action("sts:TagSessionX")


# --- "Condition operators" with set qualifiers and ARNs ---------------------------------

def condition_allows(condition, context):
    return decide([doc(allow(Condition=condition))], context=context).allowed


def test_for_any_value_with_a_negated_operator_needs_one_value_outside_the_set():
    """'Single-valued vs. multivalued context keys': ForAnyValue is true if at least one
    request value satisfies the operator; with StringNotEquals, one value that is not listed."""
    condition = {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}
    assert condition_allows(condition, {"aws:TagKeys": ["team", "cost-center"]})
    assert not condition_allows(condition, {"aws:TagKeys": ["team"]})


def test_for_all_values_with_a_negated_operator_needs_every_value_outside_the_set():
    condition = {"ForAllValues:StringNotLike": {"aws:TagKeys": ["admin-*"]}}
    assert condition_allows(condition, {"aws:TagKeys": ["team", "cost-center"]})
    assert not condition_allows(condition, {"aws:TagKeys": ["team", "admin-x"]})


def test_arn_like_keeps_colons_inside_the_resource_part():
    """'Condition operators', ARN: the ARN is split into its six colon-delimited parts and
    each is matched on its own; the resource part may itself contain colons."""
    stream = "arn:aws:logs:us-east-1:111111111111:log-group:/aws/x:log-stream:y"
    assert condition_allows({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:/aws/*"}}, {"aws:SourceArn": stream})
    assert not condition_allows({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:*:log-group:/aws/x"}},
                                {"aws:SourceArn": stream})
    # '*' in the region part cannot reach across a colon into the account part.
    assert not condition_allows({"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:log-group:/aws/*"}},
                                {"aws:SourceArn": stream})


def test_a_value_that_is_not_an_arn_matches_no_arn_pattern():
    assert not condition_allows({"ArnLike": {"aws:SourceArn": "*"}}, {"aws:SourceArn": "not-an-arn"})
    assert condition_allows({"ArnNotLike": {"aws:SourceArn": "arn:*:*:*:*:*"}}, {"aws:SourceArn": "not-an-arn"})
