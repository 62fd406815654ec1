"""IAM's write-time validation, as the emulator applies it to moto's IAM.

Specification: AWS IAM User Guide "IAM JSON policy elements: Principal" (principals must
exist; no partial wildcards), "IAM and AWS STS quotas" (trust policy 2,048 characters by
default, role inline policies 10,240 in aggregate, user inline 2,048, group inline 5,120,
managed 6,144; white space not counted), IAM API Reference CreateRole / CreateUser /
CreatePolicy (name and path constraints).  Errors are asserted by code, message and status.
"""

from __future__ import annotations

import inspect
import json

import pytest

from tests.unit.iam_world import account_id, admin, allow, doc, error_of, make_role, trust_statement, unique
from xacct.emulator import iam_hooks, iam_validation

pytestmark = pytest.mark.unit


def child_root():
    return {"AWS": f"arn:aws:iam::{account_id('child')}:root"}


def create_role(trust, name=None, **kwargs):
    return admin("iam", "parent").create_role(RoleName=name or unique("v"), AssumeRolePolicyDocument=trust, **kwargs)


def malformed(message):
    return {"code": "MalformedPolicyDocument", "message": message, "status": 400}


# --- The hook points (fails loudly when a moto upgrade moves them) -------------------------

def test_hooked_iam_backend_methods_keep_the_arguments_the_hooks_read():
    """The hooks read these arguments by name from moto's IAMBackend methods."""
    expected = {
        "create_role": {"role_name", "assume_role_policy_document", "path"},
        "update_assume_role_policy": {"role_name", "policy_document"},
        "put_role_policy": {"role_name", "policy_name", "policy_json"},
        "put_user_policy": {"user_name", "policy_name", "policy_json"},
        "put_group_policy": {"group_name", "policy_name", "policy_json"},
        "create_policy": {"policy_name", "policy_document", "path"},
        "create_policy_version": {"policy_arn", "policy_document"},
        "create_user": {"user_name", "path"},
        "delete_role": {"role_name"},
        "delete_user": {"user_name"},
    }
    assert set(expected) == set(iam_hooks.HOOKED_METHODS)
    for name, arguments in expected.items():
        parameters = set(inspect.signature(iam_hooks._ORIGINALS[name]).parameters)
        assert arguments <= parameters, f"IAMBackend.{name} no longer takes {arguments - parameters}"


def test_install_wraps_every_method_once():
    from moto.iam.models import IAMBackend

    iam_hooks.install()
    iam_hooks.install()
    for name in iam_hooks.HOOKED_METHODS:
        # Other layers (the propagation recorder) may wrap the hook in turn; follow the chain.
        chain, method = [], getattr(IAMBackend, name)
        while hasattr(method, "__wrapped__"):
            chain.append(method)
            method = method.__wrapped__
        assert method is iam_hooks._ORIGINALS[name], f"IAMBackend.{name} does not end at moto's method"
        hook_code = iam_hooks._hooked(name).__code__  # every hook wrapper runs this code
        hooks = [m for m in chain if m.__code__ is hook_code]
        assert len(hooks) == 1, f"IAMBackend.{name} is hooked {len(hooks)} times"


# --- Principals ----------------------------------------------------------------------------

def test_trust_policy_naming_a_role_that_does_not_exist_is_refused():
    """'Principal' element: "If the principal ... does not exist, the policy is invalid"
    (IAM answers MalformedPolicyDocument: Invalid principal in policy)."""
    missing = f"arn:aws:iam::{account_id('child')}:role/{unique('missing')}"
    assert error_of(create_role, doc(trust_statement({"AWS": missing}))) == malformed(
        f'Invalid principal in policy: "AWS":"{missing}"')
    existing = make_role("child", doc(trust_statement(child_root())))
    assert create_role(doc(trust_statement({"AWS": existing["Arn"]})))


def test_partial_wildcard_in_a_principal_arn_is_refused():
    """'Principal' element: "You cannot use a wildcard to match part of a principal name or
    ARN" -- use aws:PrincipalArn with ArnLike instead, which is accepted."""
    pattern = f"arn:aws:iam::{account_id('child')}:role/app-*"
    assert error_of(create_role, doc(trust_statement({"AWS": pattern}))) == malformed(
        f'Invalid principal in policy: "AWS":"{pattern}"')
    assert create_role(doc(trust_statement(child_root(), Condition={"ArnLike": {"aws:PrincipalArn": pattern}})))


def test_update_assume_role_policy_is_validated_too():
    """UpdateAssumeRolePolicy applies the same rules as CreateRole."""
    role = create_role(doc(trust_statement(child_root())))["Role"]
    missing = f"arn:aws:iam::{account_id('child')}:user/{unique('ghost')}"
    error = error_of(admin("iam", "parent").update_assume_role_policy, RoleName=role["RoleName"],
                     PolicyDocument=doc(trust_statement({"AWS": missing})))
    assert error == malformed(f'Invalid principal in policy: "AWS":"{missing}"')


# --- Grammar -------------------------------------------------------------------------------

@pytest.mark.parametrize("document, message", [
    ('{"Version": "2012-10-17", "Statement": [', "This policy contains invalid Json"),
    (doc(allow("sts:AssumeRole", Condition={"StringEqualz": {"aws:username": "x"}})), "Syntax errors in policy."),
    (json.dumps({"Version": "2012-10-17", "Statment": [allow("sts:AssumeRole")]}), "Syntax errors in policy."),
    (doc({**allow("sts:AssumeRole"), "Effects": "Allow"}), "Syntax errors in policy."),
    (doc({**allow("sts:AssumeRole"), "Principal": {"AWS": "*"}}), "Policy document should not specify a principal."),
    (doc({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*", "NotPrincipal": {"AWS": "*"}}),
     "Policy document should not specify a principal."),
])
def test_malformed_identity_policies_are_refused_on_every_write(document, message):
    """'IAM JSON policy element reference': invalid JSON, unknown condition operators and
    unknown top-level or statement elements are refused by PutRolePolicy, PutUserPolicy,
    PutGroupPolicy, CreatePolicy and CreatePolicyVersion with MalformedPolicyDocument; so is
    a Principal or NotPrincipal, which identity-based policies cannot hold ('IAM JSON policy
    elements: Principal': "You cannot use the Principal element in an identity-based policy";
    'NotPrincipal': "You cannot use the NotPrincipal element in an IAM identity-based policy")."""
    iam = admin("iam", "parent")
    role = create_role(doc(trust_statement(child_root())))["Role"]
    user = iam.create_user(UserName=unique("u"))["User"]
    group = iam.create_group(GroupName=unique("g"))["Group"]
    policy = iam.create_policy(PolicyName=unique("m"), PolicyDocument=doc(allow("sts:AssumeRole")))["Policy"]
    calls = [
        lambda: iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=document),
        lambda: iam.put_user_policy(UserName=user["UserName"], PolicyName="p", PolicyDocument=document),
        lambda: iam.put_group_policy(GroupName=group["GroupName"], PolicyName="p", PolicyDocument=document),
        lambda: iam.create_policy(PolicyName=unique("m"), PolicyDocument=document),
        lambda: iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=document),
    ]
    for call in calls:
        assert error_of(call) == malformed(message)


def test_not_principal_in_a_trust_policy_is_refused_when_written():
    """'IAM JSON policy elements: NotPrincipal': "You cannot use the NotPrincipal element in
    an IAM identity-based policy nor in an IAM role trust policy."  CreateRole and
    UpdateAssumeRolePolicy refuse it with MalformedPolicyDocument (IAM's exact text is not
    documented, so only the element's name in it is asserted)."""
    bad = doc(trust_statement(child_root()),
              {"Effect": "Deny", "NotPrincipal": child_root(), "Action": "sts:AssumeRole"})
    role = create_role(doc(trust_statement(child_root())))["Role"]
    calls = [lambda: create_role(bad),
             lambda: admin("iam", "parent").update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=bad)]
    for call in calls:
        error = error_of(call)
        assert (error["code"], error["status"]) == ("MalformedPolicyDocument", 400)
        assert "NotPrincipal" in error["message"]


def test_unknown_condition_operator_in_a_trust_policy_is_refused():
    """'Condition operators': an operator IAM does not know makes the document malformed."""
    bad = doc(trust_statement(child_root(), Condition={"StringEqualz": {"sts:ExternalId": "x"}}))
    assert error_of(create_role, bad) == malformed("Syntax errors in policy.")


# --- Size quotas ---------------------------------------------------------------------------

def trust_of_size(target: int) -> str:
    """A valid trust policy of exactly `target` characters once white space is removed."""
    base = doc(trust_statement(child_root(), Condition={"StringEquals": {"sts:ExternalId": ["x"]}}))
    padding = target - iam_validation.policy_size(base) + 1  # the one-character "x" is replaced
    return base.replace('["x"]', json.dumps(["e" * padding]))


def test_trust_policy_quota_counts_characters_without_white_space():
    """'IAM and AWS STS quotas': role trust policy length 2,048 characters by default; "IAM
    does not count white space"; over it, LimitExceeded 'Cannot exceed quota for ACLSizePerRole'."""
    at_limit, over = trust_of_size(2048), trust_of_size(2049)
    assert iam_validation.policy_size(at_limit) == 2048
    assert create_role(at_limit.replace(",", ",  \n  "))  # white space does not count
    assert error_of(create_role, over) == {
        "code": "LimitExceeded", "message": "Cannot exceed quota for ACLSizePerRole: 2048", "status": 409}


def test_role_inline_policies_share_a_10240_character_quota():
    """'IAM and AWS STS quotas': role inline policies together may hold 10,240 characters."""
    role = create_role(doc(trust_statement(child_root())))["Role"]
    iam = admin("iam", "parent")
    chunk = doc(allow("sts:AssumeRole", [f"arn:aws:iam::{account_id('parent')}:role/{'r' * 90}{i}" for i in range(25)]))
    assert 10240 / 4 < iam_validation.policy_size(chunk) <= 10240 / 3
    for index in range(3):
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName=f"p{index}", PolicyDocument=chunk)
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p0", PolicyDocument=chunk)  # replacing is not adding
    error = error_of(iam.put_role_policy, RoleName=role["RoleName"], PolicyName="p3", PolicyDocument=chunk)
    assert error == {"code": "LimitExceeded", "status": 409,
                     "message": f"Maximum policy size of 10240 bytes exceeded for role {role['RoleName']}"}


def test_user_inline_policies_share_a_2048_character_quota():
    """'IAM and AWS STS quotas': user inline policies together may hold 2,048 characters."""
    iam = admin("iam", "parent")
    user = iam.create_user(UserName=unique("u"))["User"]
    chunk = doc(allow("sts:AssumeRole", [f"arn:aws:iam::{account_id('parent')}:role/{'r' * 90}{i}" for i in range(8)]))
    iam.put_user_policy(UserName=user["UserName"], PolicyName="a", PolicyDocument=chunk)
    error = error_of(iam.put_user_policy, UserName=user["UserName"], PolicyName="b", PolicyDocument=chunk)
    assert error == {"code": "LimitExceeded", "status": 409,
                     "message": f"Maximum policy size of 2048 bytes exceeded for user {user['UserName']}"}


def test_group_inline_policies_share_a_5120_character_quota():
    """'IAM and AWS STS quotas': group inline policies together may hold 5,120 characters."""
    iam = admin("iam", "parent")
    group = iam.create_group(GroupName=unique("g"))["Group"]
    chunk = doc(allow("sts:AssumeRole", [f"arn:aws:iam::{account_id('parent')}:role/{'r' * 90}{i}" for i in range(20)]))
    assert 5120 / 2 < iam_validation.policy_size(chunk) <= 5120
    iam.put_group_policy(GroupName=group["GroupName"], PolicyName="a", PolicyDocument=chunk)
    error = error_of(iam.put_group_policy, GroupName=group["GroupName"], PolicyName="b", PolicyDocument=chunk)
    assert error == {"code": "LimitExceeded", "status": 409,
                     "message": f"Maximum policy size of 5120 bytes exceeded for group {group['GroupName']}"}


def test_managed_policy_quota_is_6144_characters():
    """'IAM and AWS STS quotas': managed policy length 6,144 characters, on CreatePolicy and
    CreatePolicyVersion."""
    iam = admin("iam", "parent")
    big = doc(allow("sts:AssumeRole", [f"arn:aws:iam::{account_id('parent')}:role/{'r' * 90}{i}" for i in range(60)]))
    assert iam_validation.policy_size(big) > 6144
    expected = {"code": "LimitExceeded", "message": "Cannot exceed quota for PolicySize: 6144", "status": 409}
    assert error_of(iam.create_policy, PolicyName=unique("m"), PolicyDocument=big) == expected
    arn = iam.create_policy(PolicyName=unique("m"), PolicyDocument=doc(allow("sts:AssumeRole")))["Policy"]["Arn"]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=big) == expected


# --- Names and paths -----------------------------------------------------------------------

@pytest.mark.parametrize("call, field, limit", [
    (lambda iam, name: iam.create_role(RoleName=name, AssumeRolePolicyDocument=doc(trust_statement({"AWS": "*"}))),
     "roleName", 64),
    (lambda iam, name: iam.create_user(UserName=name), "userName", 64),
    (lambda iam, name: iam.create_policy(PolicyName=name, PolicyDocument=doc(allow("sts:AssumeRole"))),
     "policyName", 128),
])
def test_name_length_limits(call, field, limit):
    """IAM API Reference (CreateRole RoleName, CreateUser UserName: 1-64; CreatePolicy
    PolicyName: 1-128), answered as ValidationError with the constraint."""
    iam = admin("iam", "parent")
    too_long = unique("n") + "x" * (limit - 9)
    assert len(too_long) == limit + 1
    assert error_of(call, iam, too_long) == {"code": "ValidationError", "status": 400, "message": (
        f"1 validation error detected: Value '{too_long}' at '{field}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}")}
    assert call(iam, too_long[:limit])


def test_path_must_begin_and_end_with_a_slash():
    """IAM API Reference, CreateRole Path: '/' or '/.../' of printable characters, up to 512."""
    error = error_of(create_role, doc(trust_statement(child_root())), Path="team")
    assert error["code"] == "ValidationError" and error["message"].startswith(
        "1 validation error detected: Value 'team' at 'path' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern")
    long_path = "/" + "p" * 511 + "/"
    assert error_of(create_role, doc(trust_statement(child_root())), Path=long_path)["message"].endswith(
        "Member must have length less than or equal to 512")
    assert create_role(doc(trust_statement(child_root())), Path="/team/")
