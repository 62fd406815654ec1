"""Unit tests for the emulator's IAM policy engine.

Every test cites the AWS IAM User Guide page whose documented behaviour it
checks, so a failure points at AWS's rule rather than at our implementation.
"""
import json

import pytest

from xacct.emulator import arns, denials, policy, sagemaker_models, sts_rules

pytestmark = pytest.mark.unit

CHILD = "111111111111"
PARENT = "222222222222"
REGION = "us-east-1"

ENDPOINT = f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/model"
INVOKER_ROLE = f"arn:aws:iam::{PARENT}:role/xacct/invoker"
INVOKE = "sagemaker:InvokeEndpoint"
ASSUME = "sts:AssumeRole"

LAMBDA_ROLE_SESSION = policy.Principal(
    arn=f"arn:aws:sts::{CHILD}:assumed-role/lambda-exec/fn-session",
    account=CHILD,
    principal_arn=f"arn:aws:iam::{CHILD}:role/lambda-exec",
    org_id="o-abc123",
    is_role_session=True,
)
PARENT_USER = policy.Principal(
    arn=f"arn:aws:iam::{PARENT}:user/admin",
    account=PARENT,
    principal_arn=f"arn:aws:iam::{PARENT}:user/admin",
)
PARENT_ROLE_SESSION = policy.Principal(
    arn=f"arn:aws:sts::{PARENT}:assumed-role/ops/alice",
    account=PARENT,
    principal_arn=f"arn:aws:iam::{PARENT}:role/ops",
    is_role_session=True,
)


def stmt(effect="Allow", action=INVOKE, resource="*", **extra):
    statement = {"Effect": effect, "Action": action, **extra}
    if resource is not None:
        statement["Resource"] = resource
    return statement


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_INVOKE = doc(stmt())
ALLOW_ASSUME_PARENT_ROLE = doc(stmt(action=ASSUME, resource=INVOKER_ROLE))


def trust(principal, condition=None, effect="Allow"):
    statement = {"Effect": effect, "Principal": principal, "Action": ASSUME}
    if condition is not None:
        statement["Condition"] = condition
    return doc(statement)


EXTERNAL_ID_TRUST = trust({"AWS": LAMBDA_ROLE_SESSION.principal_arn},
                          {"StringEquals": {"sts:ExternalId": "s3cr3t"}})


def check(action=INVOKE, resource=ENDPOINT, principal=PARENT_ROLE_SESSION,
          identity=(ALLOW_INVOKE,), resource_account=None, **kwargs):
    return policy.evaluate(
        action=action, resource=resource, principal=principal,
        identity_policies=list(identity),
        resource_account=resource_account or principal.account, **kwargs)


def assume(principal=LAMBDA_ROLE_SESSION, identity=(ALLOW_ASSUME_PARENT_ROLE,),
           trust_policy=EXTERNAL_ID_TRUST, context=None, **kwargs):
    return check(action=ASSUME, resource=INVOKER_ROLE, principal=principal,
                 identity=identity, resource_policy=trust_policy,
                 resource_account=PARENT, context=context or {}, **kwargs)


def with_condition(condition, context, principal=PARENT_ROLE_SESSION):
    return check(principal=principal, identity=[doc(stmt(Condition=condition))], context=context)


# --------------------------------------------------------------------------
# Policy evaluation logic: default deny, explicit deny, allow
# --------------------------------------------------------------------------

def test_identity_allow_grants_same_account_access():
    """AWS IAM User Guide, 'Policy evaluation logic': an explicit allow in an
    identity-based policy overrides the default implicit deny."""
    assert check() == policy.Decision(True, "allowed")


def test_default_deny_without_any_allow():
    """AWS IAM User Guide, 'Policy evaluation logic': by default all requests
    are implicitly denied."""
    assert check(identity=[]) == policy.Decision(False, "no_identity_allow")


def test_explicit_deny_overrides_allow():
    """AWS IAM User Guide, 'Policy evaluation logic': an explicit deny in any
    policy overrides any allows."""
    decision = check(identity=[ALLOW_INVOKE, doc(stmt("Deny"))])
    assert decision == policy.Decision(False, "explicit_deny_identity")


def test_explicit_deny_in_boundary_wins():
    """AWS IAM User Guide, 'Policy evaluation logic': the deny evaluation step
    looks for a Deny in every policy type, including permissions boundaries."""
    boundary = doc(stmt(action="sagemaker:*"), stmt("Deny"))
    assert not check(permissions_boundary=boundary).allowed


def test_explicit_deny_in_session_policy_wins():
    """AWS IAM User Guide, 'Policy evaluation logic': an explicit deny in a
    session policy overrides the allow."""
    assert not check(session_policies=[doc(stmt("Deny"))]).allowed


def test_root_user_needs_no_identity_policy_in_own_account():
    """AWS IAM User Guide, 'Policy evaluation logic': all requests are
    implicitly denied with the exception of the account root user."""
    root = policy.Principal(arn=f"arn:aws:iam::{PARENT}:root", account=PARENT,
                            principal_arn=f"arn:aws:iam::{PARENT}:root")
    assert check(principal=root, identity=[]).allowed


def test_policies_may_be_passed_as_json_strings():
    """AWS IAM User Guide, 'IAM JSON policy reference': policies are JSON
    documents; the engine accepts them serialized or parsed."""
    assert check(identity=[json.dumps(ALLOW_INVOKE)], permissions_boundary=json.dumps(ALLOW_INVOKE)).allowed


def test_statement_for_another_resource_does_not_allow():
    """AWS IAM User Guide, 'IAM JSON policy elements: Resource': a statement
    only covers the resources it lists."""
    other = f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/other"
    assert not check(identity=[doc(stmt(resource=other))]).allowed


# --------------------------------------------------------------------------
# Cross-account policy evaluation logic
# --------------------------------------------------------------------------

def test_cross_account_assume_role_needs_both_sides():
    """AWS IAM User Guide, 'Cross-account policy evaluation logic': the
    trusted account's identity policy and the trust policy must both allow."""
    assert assume(context={"sts:ExternalId": "s3cr3t"}).allowed


def test_cross_account_without_identity_allow_is_denied():
    """AWS IAM User Guide, 'Cross-account policy evaluation logic': a
    resource-based allow alone is not enough across accounts."""
    decision = assume(identity=[], context={"sts:ExternalId": "s3cr3t"})
    assert decision == policy.Decision(False, "no_identity_allow")


def test_cross_account_without_trust_allow_is_denied():
    """AWS IAM User Guide, 'Cross-account policy evaluation logic': an
    identity allow alone is not enough across accounts."""
    other = trust({"AWS": f"arn:aws:iam::{CHILD}:role/someone-else"})
    decision = assume(trust_policy=other)
    assert decision == policy.Decision(False, "no_resource_allow")


def test_cross_account_trust_naming_account_root_plus_identity_allows():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': the account
    principal delegates to the trusted account, whose identity policy must allow."""
    decision = assume(trust_policy=trust({"AWS": f"arn:aws:iam::{CHILD}:root"}))
    assert decision.allowed


def test_cross_account_without_resource_policy_is_denied():
    """AWS IAM User Guide, 'Cross-account policy evaluation logic': with no
    resource-based policy in the trusting account, cross-account access fails."""
    decision = check(principal=LAMBDA_ROLE_SESSION, resource_account=PARENT)
    assert decision == policy.Decision(False, "no_resource_allow")


def test_cross_account_exact_session_grant_still_needs_identity_allow():
    """AWS IAM User Guide, 'Cross-account policy evaluation logic': the
    same-account shortcut for principals named in a resource policy does not
    apply across accounts."""
    function_policy = doc({"Effect": "Allow", "Principal": {"AWS": LAMBDA_ROLE_SESSION.arn},
                           "Action": "lambda:InvokeFunction"})
    decision = check(action="lambda:InvokeFunction", principal=LAMBDA_ROLE_SESSION,
                     identity=[], resource_policy=function_policy, resource_account=PARENT,
                     resource=f"arn:aws:lambda:{REGION}:{PARENT}:function:fn")
    assert decision == policy.Decision(False, "no_identity_allow")


# --------------------------------------------------------------------------
# Trust policies and same-account resource-based policies
# --------------------------------------------------------------------------

def test_same_account_trust_naming_exact_role_needs_no_identity_policy():
    """AWS IAM User Guide, 'Policy evaluation logic': within one account a
    resource-based policy naming the role ARN is not limited by an implicit
    deny in identity-based policies."""
    decision = assume(principal=PARENT_ROLE_SESSION, identity=[],
                      trust_policy=trust({"AWS": PARENT_ROLE_SESSION.principal_arn}))
    assert decision.allowed


def test_same_account_trust_naming_user_needs_no_identity_policy():
    """AWS IAM User Guide, 'Policy evaluation logic': a same-account
    resource-based policy naming an IAM user ARN is not limited by an implicit
    deny in an identity-based policy or permissions boundary."""
    decision = assume(principal=PARENT_USER, identity=[],
                      permissions_boundary=doc(stmt(action="s3:*")),
                      trust_policy=trust({"AWS": PARENT_USER.arn}))
    assert decision.allowed


def test_same_account_trust_naming_account_root_needs_identity_allow():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': naming the
    account delegates to IAM, so the caller's identity policy must allow."""
    root_trust = trust({"AWS": f"arn:aws:iam::{PARENT}:root"})
    denied = assume(principal=PARENT_USER, identity=[], trust_policy=root_trust)
    allowed = assume(principal=PARENT_USER, trust_policy=root_trust)
    assert denied == policy.Decision(False, "no_identity_allow")
    assert allowed.allowed


def test_same_account_trust_naming_bare_account_id_needs_identity_allow():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': a bare
    12-digit account id is shorthand for the account root principal."""
    decision = assume(principal=PARENT_USER, identity=[], trust_policy=trust({"AWS": PARENT}))
    assert decision == policy.Decision(False, "no_identity_allow")


def test_same_account_identity_allow_without_trust_allow_is_denied():
    """AWS IAM User Guide, 'Policy evaluation logic': role trust policies are
    an exception and must explicitly allow the principal, even in one account."""
    decision = assume(principal=PARENT_USER, trust_policy=trust({"AWS": f"arn:aws:iam::{PARENT}:user/bob"}))
    assert decision == policy.Decision(False, "no_resource_allow")


def test_role_arn_grant_is_limited_by_boundary_and_session_policy():
    """AWS IAM User Guide, 'Policy evaluation logic': resource-based policies
    that grant permissions to an IAM role ARN are limited by an implicit deny
    in a permissions boundary or session policy."""
    role_trust = trust({"AWS": PARENT_ROLE_SESSION.principal_arn})
    by_boundary = assume(principal=PARENT_ROLE_SESSION, identity=[], trust_policy=role_trust,
                         permissions_boundary=doc(stmt(action="s3:*")))
    by_session = assume(principal=PARENT_ROLE_SESSION, identity=[], trust_policy=role_trust,
                        session_policies=[doc(stmt(action="s3:*"))])
    assert by_boundary == policy.Decision(False, "boundary")
    assert by_session == policy.Decision(False, "session_policy")


def test_session_arn_grant_is_not_limited_by_implicit_denies():
    """AWS IAM User Guide, 'Policy evaluation logic': permissions granted
    directly to a role session ARN are not limited by an implicit deny in an
    identity-based policy, permissions boundary or session policy."""
    decision = assume(principal=PARENT_ROLE_SESSION, identity=[],
                      trust_policy=trust({"AWS": PARENT_ROLE_SESSION.arn}),
                      permissions_boundary=doc(stmt(action="s3:*")),
                      session_policies=[doc(stmt(action="s3:*"))])
    assert decision.allowed


def test_direct_grant_still_loses_to_explicit_identity_deny():
    """AWS IAM User Guide, 'Policy evaluation logic': an explicit deny in any
    policy overrides allows, including a direct resource-based grant."""
    decision = assume(principal=PARENT_USER, identity=[doc(stmt("Deny", action="sts:*"))],
                      trust_policy=trust({"AWS": PARENT_USER.arn}))
    assert decision == policy.Decision(False, "explicit_deny_identity")


def test_deny_in_trust_policy_wins():
    """AWS IAM User Guide, 'Policy evaluation logic': an explicit deny in a
    resource-based (trust) policy overrides every allow."""
    both = doc(
        {"Effect": "Allow", "Principal": {"AWS": LAMBDA_ROLE_SESSION.principal_arn}, "Action": ASSUME},
        {"Effect": "Deny", "Principal": "*", "Action": ASSUME,
         "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-other"}}},
    )
    assert assume(trust_policy=both) == policy.Decision(False, "explicit_deny_resource")


def test_same_account_lambda_without_function_policy_uses_identity():
    """AWS IAM User Guide, 'Policy evaluation logic': if only identity-based
    policies apply, AWS checks them for at least one Allow."""
    fn = f"arn:aws:lambda:{REGION}:{PARENT}:function:fn"
    identity = [doc(stmt(action="lambda:InvokeFunction", resource=fn))]
    assert check(action="lambda:InvokeFunction", resource=fn, identity=identity).allowed


def test_same_account_function_policy_for_other_principal_falls_back_to_identity():
    """AWS IAM User Guide, 'Policy evaluation logic': in one account an allow in
    either the identity-based or the resource-based policy is enough."""
    fn = f"arn:aws:lambda:{REGION}:{PARENT}:function:fn"
    function_policy = doc({"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                           "Action": "lambda:InvokeFunction", "Resource": fn})
    identity = [doc(stmt(action="lambda:*", resource=fn))]
    decision = check(action="lambda:InvokeFunction", resource=fn, identity=identity,
                     resource_policy=function_policy)
    assert decision.allowed


# --------------------------------------------------------------------------
# Principal element
# --------------------------------------------------------------------------

def test_service_only_trust_does_not_match_a_role_session():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': a service
    principal grants access to the service, not to IAM users or roles."""
    decision = assume(trust_policy=trust({"Service": "lambda.amazonaws.com"}))
    assert decision == policy.Decision(False, "no_resource_allow")


def test_wildcard_inside_principal_arn_never_matches():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': you cannot
    use a wildcard to match part of a principal name or ARN."""
    decision = assume(trust_policy=trust({"AWS": f"arn:aws:iam::{CHILD}:role/*"}))
    assert decision == policy.Decision(False, "no_resource_allow")


def test_everyone_principal_matches():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': "*" and
    {"AWS": "*"} match every principal."""
    assert assume(trust_policy=trust("*")).allowed
    assert assume(trust_policy=trust({"AWS": "*"})).allowed


def test_role_arn_principal_matches_any_session_of_that_role():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': a role
    principal matches sessions of that role, whatever the session name."""
    assert assume(trust_policy=trust({"AWS": [PARENT_USER.arn, LAMBDA_ROLE_SESSION.principal_arn]})).allowed


def test_assumed_role_session_principal_must_match_exactly():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': a role
    session principal names one specific session."""
    other_session = f"arn:aws:sts::{CHILD}:assumed-role/lambda-exec/other"
    assert not assume(trust_policy=trust({"AWS": other_session})).allowed
    assert assume(trust_policy=trust({"AWS": LAMBDA_ROLE_SESSION.arn})).allowed


def test_not_principal_is_unsupported():
    """AWS IAM User Guide, 'IAM JSON policy elements: NotPrincipal': its
    semantics differ per principal type, so the engine refuses it."""
    bad = doc({"Effect": "Deny", "NotPrincipal": {"AWS": PARENT}, "Action": ASSUME})
    with pytest.raises(policy.UnsupportedPolicyFeature):
        assume(trust_policy=bad)


# --------------------------------------------------------------------------
# Confused deputy: sts:ExternalId, aws:PrincipalArn, aws:PrincipalOrgID
# --------------------------------------------------------------------------

@pytest.mark.parametrize("context", [{}, {"sts:ExternalId": "wrong"}, {"sts:ExternalId": "S3CR3T"}])
def test_missing_or_wrong_external_id_is_denied(context):
    """AWS IAM User Guide, 'The confused deputy problem': a trust policy
    conditioned on sts:ExternalId only allows callers that pass that exact id."""
    assert assume(context=context) == policy.Decision(False, "no_resource_allow")


def test_external_id_key_is_case_insensitive():
    """AWS IAM User Guide, 'IAM JSON policy elements: Condition': condition
    key names are not case-sensitive."""
    assert assume(context={"STS:externalid": "s3cr3t"}).allowed


def test_arn_like_on_principal_arn_for_role_session():
    """AWS IAM User Guide, 'AWS global condition context keys': for a role
    session aws:PrincipalArn is the role ARN, not the assumed-role ARN."""
    by_role = trust({"AWS": f"arn:aws:iam::{CHILD}:root"},
                    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{CHILD}:role/lambda-*"}})
    by_session = trust({"AWS": f"arn:aws:iam::{CHILD}:root"},
                       {"ArnLike": {"aws:PrincipalArn": f"arn:aws:sts::{CHILD}:assumed-role/*"}})
    assert assume(trust_policy=by_role).allowed
    assert not assume(trust_policy=by_session).allowed


def test_principal_org_id_match_and_mismatch():
    """AWS IAM User Guide, 'AWS global condition context keys':
    aws:PrincipalOrgID is the caller's organization id."""
    in_org = trust("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})
    other_org = trust("*", {"StringEquals": {"aws:PrincipalOrgID": "o-zzz999"}})
    assert assume(trust_policy=in_org).allowed
    assert not assume(trust_policy=other_org).allowed


def test_principal_org_id_absent_when_not_in_organization():
    """AWS IAM User Guide, 'AWS global condition context keys':
    aws:PrincipalOrgID is only present when the account is in an organization."""
    no_org = policy.Principal(arn=PARENT_USER.arn, account=PARENT, principal_arn=PARENT_USER.arn)
    condition = {"Null": {"aws:PrincipalOrgID": "true"}}
    assert with_condition(condition, {}, principal=no_org).allowed
    assert not with_condition(condition, {}, principal=LAMBDA_ROLE_SESSION).allowed


def test_caller_supplied_context_cannot_override_principal_keys():
    """AWS IAM User Guide, 'AWS global condition context keys':
    aws:PrincipalAccount comes from the authenticated caller."""
    condition = {"StringEquals": {"aws:PrincipalAccount": CHILD}}
    assert not with_condition(condition, {"aws:PrincipalAccount": CHILD}).allowed


# --------------------------------------------------------------------------
# Condition operators
# --------------------------------------------------------------------------

def test_multiple_values_for_one_key_are_ored():
    """AWS IAM User Guide, 'Creating a condition with multiple keys or
    values': several values for one key are evaluated with a logical OR."""
    condition = {"StringEquals": {"sts:ExternalId": ["a1", "b2"]}}
    assert with_condition(condition, {"sts:ExternalId": "b2"}).allowed


def test_multiple_keys_and_operators_are_anded():
    """AWS IAM User Guide, 'Creating a condition with multiple keys or
    values': all keys and all operators must be satisfied (logical AND)."""
    condition = {"StringEquals": {"k1": "a", "k2": "b"}, "Bool": {"k3": "true"}}
    assert with_condition(condition, {"k1": "a", "k2": "b", "k3": "true"}).allowed
    assert not with_condition(condition, {"k1": "a", "k2": "b", "k3": "false"}).allowed
    assert not with_condition(condition, {"k1": "a", "k3": "true"}).allowed


def test_string_equals_values_are_case_sensitive():
    """AWS IAM User Guide, 'Condition operators': StringEquals is exact,
    case-sensitive matching."""
    assert not with_condition({"StringEquals": {"k": "Value"}}, {"k": "value"}).allowed


def test_string_equals_ignore_case():
    """AWS IAM User Guide, 'Condition operators': StringEqualsIgnoreCase and
    StringNotEqualsIgnoreCase ignore case."""
    assert with_condition({"StringEqualsIgnoreCase": {"k": "Value"}}, {"k": "VALUE"}).allowed
    assert not with_condition({"StringNotEqualsIgnoreCase": {"k": "Value"}}, {"k": "VALUE"}).allowed


def test_string_like_wildcards():
    """AWS IAM User Guide, 'Condition operators': StringLike supports * and ?
    anywhere, case-sensitively."""
    assert with_condition({"StringLike": {"k": "ab?-*"}}, {"k": "abc-anything"}).allowed
    assert not with_condition({"StringLike": {"k": "ab?-*"}}, {"k": "ABC-anything"}).allowed


def test_positive_operator_with_missing_key_is_false():
    """AWS IAM User Guide, 'Condition operators': if the key is not present in
    the request context the condition is false."""
    assert not with_condition({"StringLike": {"k": "*"}}, {}).allowed
    assert not with_condition({"ArnEquals": {"k": "arn:aws:iam::*:role/*"}}, {}).allowed


def test_negated_operator_with_missing_key_is_true():
    """AWS IAM User Guide, 'Condition operators': when a negated operator such
    as StringNotLike or ArnNotLike meets a missing key, the condition is true."""
    assert with_condition({"StringNotEquals": {"k": "x"}}, {}).allowed
    assert with_condition({"ArnNotLike": {"k": "arn:aws:iam::*:role/x"}}, {}).allowed


def test_negated_operator_with_multiple_values_requires_no_match():
    """AWS IAM User Guide, 'Creating a condition with multiple keys or
    values': a negated operator is true only if the value matches none of the
    listed values."""
    condition = {"StringNotEquals": {"k": ["a", "b"]}}
    assert not with_condition(condition, {"k": "b"}).allowed
    assert with_condition(condition, {"k": "c"}).allowed


def test_if_exists_is_true_when_key_missing_and_checks_when_present():
    """AWS IAM User Guide, 'Condition operators', ...IfExists: a missing key
    evaluates to true, a present key is checked normally."""
    condition = {"StringEqualsIfExists": {"k": "yes"}}
    assert with_condition(condition, {}).allowed
    assert with_condition(condition, {"k": "yes"}).allowed
    assert not with_condition(condition, {"k": "no"}).allowed


def test_null_operator():
    """AWS IAM User Guide, 'Condition operators', Null: "true" means the key
    is absent, "false" means it is present."""
    assert with_condition({"Null": {"k": "true"}}, {}).allowed
    assert not with_condition({"Null": {"k": "true"}}, {"k": "v"}).allowed
    assert with_condition({"Null": {"k": "false"}}, {"k": "v"}).allowed
    assert not with_condition({"Null": {"k": "false"}}, {}).allowed


def test_null_if_exists_is_rejected():
    """AWS IAM User Guide, 'Condition operators': IfExists can be added to any
    operator except Null."""
    with pytest.raises(policy.UnsupportedPolicyFeature):
        with_condition({"NullIfExists": {"k": "true"}}, {})


def test_bool_operator():
    """AWS IAM User Guide, 'Condition operators', Bool: boolean matching of
    "true"/"false"; a missing key does not match."""
    assert with_condition({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}).allowed
    assert with_condition({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "true"}).allowed
    assert not with_condition({"Bool": {"aws:SecureTransport": "true"}}, {}).allowed


def test_arn_like_matches_each_component_separately():
    """AWS IAM User Guide, 'Condition operators', ARN: each of the six
    colon-delimited components is matched separately, unlike StringLike."""
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert with_condition({"StringLike": {"k": pattern}}, {"k": value}).allowed
    assert not with_condition({"ArnLike": {"k": pattern}}, {"k": value}).allowed


def test_arn_equals_is_case_sensitive():
    """AWS IAM User Guide, 'Condition operators', ARN: ArnEquals is
    case-sensitive matching of the ARN."""
    arn = f"arn:aws:iam::{CHILD}:role/Lambda"
    assert with_condition({"ArnEquals": {"k": arn}}, {"k": arn}).allowed
    assert not with_condition({"ArnEquals": {"k": arn}}, {"k": arn.lower()}).allowed


def test_for_any_value_on_multivalued_key():
    """AWS IAM User Guide, 'Multivalued context keys': ForAnyValue is true if
    at least one request value matches, and false when the key is missing."""
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}
    assert with_condition(condition, {"aws:TagKeys": ["cost", "team"]}).allowed
    assert not with_condition(condition, {"aws:TagKeys": ["cost"]}).allowed
    assert not with_condition(condition, {}).allowed


def test_for_all_values_on_multivalued_key():
    """AWS IAM User Guide, 'Multivalued context keys': ForAllValues is true if
    every request value matches, and true when the key is missing or empty."""
    condition = {"ForAllValues:StringLike": {"aws:TagKeys": ["env", "team-*"]}}
    assert with_condition(condition, {"aws:TagKeys": ["env", "team-a"]}).allowed
    assert not with_condition(condition, {"aws:TagKeys": ["env", "cost"]}).allowed
    assert with_condition(condition, {}).allowed
    assert with_condition(condition, {"aws:TagKeys": []}).allowed


@pytest.mark.parametrize("operator", ["BinaryEquals", "BinaryEqualsIfExists", "ForAllValues:BinaryEquals",
                                      "StringStartsWith", "NumericBetween"])
def test_unsupported_operator_raises(operator):
    """AWS IAM User Guide, 'Condition operators': operators the engine does not
    model must fail loudly rather than be guessed."""
    with pytest.raises(policy.UnsupportedPolicyFeature, match=operator):
        with_condition({operator: {"k": "1"}}, {"k": "1"})


def test_unsupported_operator_raises_even_in_unrelated_statement():
    """AWS IAM User Guide, 'Condition operators': an unknown operator is
    refused wherever it appears, so evaluation order cannot hide it."""
    identity = [ALLOW_INVOKE, doc(stmt(action="s3:*", Condition={"BinaryEquals": {"k": "QUJD"}}))]
    with pytest.raises(policy.UnsupportedPolicyFeature):
        check(identity=identity)


# --------------------------------------------------------------------------
# Action and Resource elements
# --------------------------------------------------------------------------

def test_action_matching_is_case_insensitive():
    """AWS IAM User Guide, 'IAM JSON policy elements: Action': action names
    are not case-sensitive."""
    assert check(identity=[doc(stmt(action="SageMaker:invokeendpoint"))]).allowed


def test_action_wildcard_matches_within_service_only():
    """AWS IAM User Guide, 'IAM JSON policy elements: Action': wildcards match
    action names, and the service prefix must match."""
    identity = [doc(stmt(action="sagemaker:Invoke*"))]
    assert check(action="sagemaker:InvokeEndpointAsync", identity=identity).allowed
    assert not check(action="lambda:InvokeFunction", identity=identity).allowed


def test_not_action_applies_to_every_other_action():
    """AWS IAM User Guide, 'IAM JSON policy elements: NotAction': the statement
    matches everything except the listed actions."""
    identity = [{"Version": "2012-10-17",
                 "Statement": {"Effect": "Allow", "NotAction": "sagemaker:Create*", "Resource": "*"}}]
    assert check(identity=identity).allowed
    assert not check(action="sagemaker:CreateEndpoint", identity=identity).allowed


def test_resource_matching_is_case_sensitive():
    """AWS IAM User Guide, 'IAM JSON policy elements: Resource': resource ARNs
    are matched case-sensitively."""
    assert not check(identity=[doc(stmt(resource=ENDPOINT.upper()))]).allowed


def test_resource_wildcard_spans_colons_and_slashes():
    """AWS IAM User Guide, 'IAM JSON policy elements: Resource': * matches any
    combination of characters and ? a single one."""
    assert check(identity=[doc(stmt(resource="arn:aws:sagemaker:*/mod?l"))]).allowed


def test_not_resource_applies_to_every_other_resource():
    """AWS IAM User Guide, 'IAM JSON policy elements: NotResource': the
    statement matches every resource except the listed ones."""
    deny_others = doc(stmt(), {"Effect": "Deny", "Action": "*", "NotResource": ENDPOINT})
    assert check(identity=[deny_others]).allowed
    other = ENDPOINT.replace("model", "other")
    assert check(identity=[deny_others], resource=other) == policy.Decision(False, "explicit_deny_identity")


def test_policy_variable_in_resource_is_unsupported():
    """AWS IAM User Guide, 'IAM policy elements: Variables and tags': variables
    need request data the engine does not model, so it refuses them."""
    identity = [doc(stmt(resource="arn:aws:sagemaker:*:*:endpoint/${aws:username}"))]
    with pytest.raises(policy.UnsupportedPolicyFeature):
        check(identity=identity)


# --------------------------------------------------------------------------
# Session policies and permissions boundaries
# --------------------------------------------------------------------------

def test_session_policy_limits_identity_permissions():
    """AWS IAM User Guide, 'Policies and permissions in IAM', session policies:
    the session's permissions are the intersection of the identity-based
    policies and the session policies."""
    decision = check(session_policies=[doc(stmt(action="s3:GetObject"))])
    assert decision == policy.Decision(False, "session_policy")
    assert check(session_policies=[doc(stmt(action="sagemaker:*"))]).allowed


def test_boundary_limits_identity_permissions():
    """AWS IAM User Guide, 'Permissions boundaries for IAM entities': an
    entity can only do what both its identity policies and boundary allow."""
    assert check(permissions_boundary=doc(stmt(action="s3:*"))) == policy.Decision(False, "boundary")
    assert check(permissions_boundary=doc(stmt(action="sagemaker:*"))).allowed


def test_boundary_alone_grants_nothing():
    """AWS IAM User Guide, 'Permissions boundaries for IAM entities': a
    boundary does not grant permissions on its own."""
    decision = check(identity=[], permissions_boundary=ALLOW_INVOKE)
    assert decision == policy.Decision(False, "no_identity_allow")


# --------------------------------------------------------------------------
# Policy grammar
# --------------------------------------------------------------------------

def test_parse_policy_accepts_json_and_normalises_statement():
    """AWS IAM User Guide, 'IAM JSON policy elements: Statement': Statement is
    a single object or an array of objects."""
    parsed = policy.parse_policy(json.dumps({"Version": "2012-10-17", "Statement": stmt()}))
    assert parsed["Statement"] == [stmt()]


@pytest.mark.parametrize("bad, message", [
    ({"Version": "2012-10-17"}, "Statement"),
    ({"Version": "2012-10-17", "Statement": []}, "Statement"),
    ({"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}, "Effect"),
    ({"Version": "2012-10-17", "Statement": [stmt(effect="Permit")]}, "Effect"),
    ({"Version": "2020-01-01", "Statement": [stmt()]}, "Version"),
    ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Action"),
    ({"Version": "2012-10-17", "Statement": [stmt(Actions="s3:*")]}, "unknown"),
    ("{not json", "JSON"),
])
def test_parse_policy_rejects_malformed_documents(bad, message):
    """AWS IAM User Guide, 'IAM JSON policy element reference': Version,
    Statement, Effect and Action are required and have fixed forms."""
    with pytest.raises(ValueError, match=message):
        policy.parse_policy(bad)


def test_identity_policy_with_principal_is_rejected():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': you cannot
    use Principal in an identity-based policy."""
    with pytest.raises(ValueError, match="Principal"):
        check(identity=[doc(stmt(Principal="*"))])


def test_resource_policy_statement_without_principal_is_rejected():
    """AWS IAM User Guide, 'IAM JSON policy elements: Principal': you must use
    Principal in resource-based policies."""
    with pytest.raises(ValueError, match="Principal"):
        assume(trust_policy=doc({"Effect": "Allow", "Action": ASSUME}))


# --------------------------------------------------------------------------
# STS AssumeRole input validation (STS API Reference, AssumeRole)
# --------------------------------------------------------------------------

def sts_errors(**overrides):
    params = dict(role_session_name="fn-session", external_id=None, duration_seconds=None,
                  max_session_duration=3600, caller_is_role_session=False)
    params.update(overrides)
    return sts_rules.assume_role_input_errors(**params)


def test_valid_assume_role_input_has_no_errors():
    """AWS STS API Reference, 'AssumeRole': RoleSessionName is required,
    ExternalId optional, DurationSeconds defaults to 3600."""
    assert sts_errors() == []
    assert sts_errors(external_id="abc:/=@-", duration_seconds=900) == []


def test_role_session_name_too_short():
    """AWS STS API Reference, 'AssumeRole': RoleSessionName length 2-64."""
    assert sts_errors(role_session_name="x") == [
        "1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 2"]


def test_role_session_name_required_and_pattern():
    """AWS STS API Reference, 'AssumeRole': RoleSessionName is required and
    must match [\\w+=,.@-]*."""
    assert "Member must not be null" in sts_errors(role_session_name=None)[0]
    (error,) = sts_errors(role_session_name="bad name")
    assert error.endswith("Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    assert "Member must have length less than or equal to 64" in sts_errors(role_session_name="a" * 65)[0]


def test_external_id_constraints():
    """AWS STS API Reference, 'AssumeRole': ExternalId length 2-1224, pattern
    [\\w+=,.@:/-]*."""
    assert "at 'externalId'" in sts_errors(external_id="x")[0]
    assert "regular expression pattern" in sts_errors(external_id="has space")[0]
    assert "less than or equal to 1224" in sts_errors(external_id="a" * 1225)[0]


def test_duration_bounds():
    """AWS STS API Reference, 'AssumeRole': DurationSeconds is at least 900
    and at most the role's MaxSessionDuration."""
    assert "greater than or equal to 900" in sts_errors(duration_seconds=899)[0]
    assert sts_errors(duration_seconds=7200) == [
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."]
    assert sts_errors(duration_seconds=7200, max_session_duration=43200) == []


def test_role_chaining_caps_duration_at_one_hour():
    """AWS IAM User Guide, 'Roles terms and concepts', role chaining: a role
    session that assumes another role is limited to one hour."""
    assert sts_errors(duration_seconds=7200, max_session_duration=43200, caller_is_role_session=True) == [
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."]
    assert sts_errors(duration_seconds=3600, caller_is_role_session=True) == []


# --------------------------------------------------------------------------
# Endpoint ARNs and access-denied messages
# --------------------------------------------------------------------------

def test_sagemaker_endpoint_arn_lower_cases_name():
    """AWS Service Authorization Reference, Amazon SageMaker: the endpoint
    resource is arn:${Partition}:sagemaker:${Region}:${Account}:endpoint/${EndpointName},
    and SageMaker reports endpoint names in lower case."""
    assert sagemaker_models.endpoint_arn(REGION, PARENT, "My-Model") == \
        f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/my-model"


@pytest.mark.parametrize("reason, suffix", [
    ("no_identity_allow", " because no identity-based policy allows the sagemaker:InvokeEndpoint action"),
    ("explicit_deny_identity", " with an explicit deny in an identity-based policy"),
    ("no_resource_allow", " because no resource-based policy allows the sagemaker:InvokeEndpoint action"),
    ("explicit_deny_resource", " with an explicit deny in a resource-based policy"),
    ("boundary", " because no permissions boundary allows the sagemaker:InvokeEndpoint action"),
    ("session_policy", " because no session policy allows the sagemaker:InvokeEndpoint action"),
])
def test_access_denied_message_reason_suffixes(reason, suffix):
    """AWS IAM User Guide, 'Troubleshooting access denied error messages':
    the message names the caller, action, resource and the denying policy type."""
    message = denials.access_denied_message(PARENT_ROLE_SESSION.arn, INVOKE, ENDPOINT,
                                           policy.Decision(False, reason))
    assert message == (f"User: {PARENT_ROLE_SESSION.arn} is not authorized to perform: "
                       f"{INVOKE} on resource: {ENDPOINT}{suffix}")


def test_assume_role_denial_uses_classic_message():
    """AWS IAM User Guide, 'Troubleshooting IAM roles': STS AssumeRole denials
    report 'User: ... is not authorized to perform: sts:AssumeRole on resource: ...'."""
    message = denials.access_denied_message(LAMBDA_ROLE_SESSION.arn, ASSUME, INVOKER_ROLE,
                                           policy.Decision(False, "no_resource_allow"))
    assert message == (f"User: {LAMBDA_ROLE_SESSION.arn} is not authorized to perform: "
                       f"sts:AssumeRole on resource: {INVOKER_ROLE}")


# --- service principals ("IAM JSON policy elements: Principal", AWS service principals) ---

SAGEMAKER_SERVICE = policy.Principal(arn="sagemaker.amazonaws.com", account=PARENT,
                                     principal_arn="sagemaker.amazonaws.com", service="sagemaker.amazonaws.com")
EXECUTION_ROLE = f"arn:aws:iam::{PARENT}:role/model-exec"


def service_assumes(trust_policy, context=None):
    return policy.evaluate(action=ASSUME, resource=EXECUTION_ROLE, principal=SAGEMAKER_SERVICE, identity_policies=[],
                           resource_policy=trust_policy, resource_account=PARENT, context=context)


def test_a_service_is_named_by_its_service_principal_only():
    """A "Service" principal names the service; an "AWS" principal (even the account) never does."""
    assert service_assumes(trust({"Service": "sagemaker.amazonaws.com"})).allowed
    assert service_assumes(trust({"Service": ["lambda.amazonaws.com", "sagemaker.amazonaws.com"]})).allowed
    assert service_assumes(trust({"Service": "lambda.amazonaws.com"})) == policy.Decision(False, "no_resource_allow")
    assert not service_assumes(trust({"AWS": f"arn:aws:iam::{PARENT}:root"})).allowed
    assert not service_assumes(trust({"AWS": PARENT})).allowed


def test_a_services_context_holds_its_service_name_and_no_caller_keys():
    """"AWS global condition context keys": aws:PrincipalServiceName is the service; the keys
    that describe an IAM caller (aws:PrincipalArn, aws:PrincipalAccount) are absent."""
    by_name = trust({"Service": "sagemaker.amazonaws.com"},
                    {"StringEquals": {"aws:PrincipalServiceName": "sagemaker.amazonaws.com"}})
    assert service_assumes(by_name).allowed
    by_account = trust({"Service": "sagemaker.amazonaws.com"}, {"StringEquals": {"aws:PrincipalAccount": PARENT}})
    assert not service_assumes(by_account).allowed


def test_an_explicit_deny_of_the_service_wins():
    deny = {"Effect": "Deny", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": ASSUME}
    both = doc(trust({"Service": "sagemaker.amazonaws.com"})["Statement"][0], deny)
    assert service_assumes(both) == policy.Decision(False, "explicit_deny_resource")


def test_an_iam_caller_is_not_named_by_a_service_principal():
    assert not assume(principal=LAMBDA_ROLE_SESSION, trust_policy=trust({"Service": "lambda.amazonaws.com"})).allowed
