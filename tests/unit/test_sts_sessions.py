"""Session policies passed by ARN, session tags, and the STS limits on both, over HTTP.

Specification: AWS IAM User Guide "Session policies", "Pass session tags in AWS STS"
(permissions required, chaining roles with session tags), "IAM and AWS STS quotas";
AWS STS API Reference "AssumeRole" and "Tag".
"""

from __future__ import annotations

import pytest

from tests.unit.iam_world import (
    account_id, admin, allow, assume, client, doc, error_of, make_role, make_user, trust_statement, unique,
)

pytestmark = pytest.mark.unit

BOTH = ["sts:AssumeRole", "sts:TagSession"]


def child_root():
    return {"AWS": f"arn:aws:iam::{account_id('child')}:root"}


@pytest.fixture(scope="module")
def targets():
    """Two roles in the parent account that any child principal with a grant may assume."""
    trust = doc(trust_statement(child_root()))
    return make_role("parent", trust), make_role("parent", trust)


def managed_policy(account: str, document: str) -> str:
    return admin("iam", account).create_policy(PolicyName=unique("session"), PolicyDocument=document)["Policy"]["Arn"]


def chain_role(*extra_statements, tags=None):
    """A child role assumable by child principals, allowed to assume any role."""
    kwargs = {"Tags": tags} if tags else {}
    return make_role("child", doc(trust_statement(child_root(), BOTH)),
                     doc(allow(BOTH), *extra_statements), **kwargs)


def can_assume(session, role) -> bool:
    try:
        assume(session, role["Arn"])
    except Exception as error:  # noqa: BLE001 - the code is checked below
        assert getattr(error, "response", {}).get("Error", {}).get("Code") == "AccessDenied", error
        return False
    return True


# --- Session policies by ARN -------------------------------------------------------------

def test_policy_arns_intersect_with_the_roles_permissions(targets):
    """'Session policies': the session's permissions are the intersection of the role's
    identity policies and the session policies (inline `Policy` and managed `PolicyArns`)."""
    first, second = targets
    role = chain_role()
    _, user = make_user("child", doc(allow("sts:AssumeRole")))
    only_first = managed_policy("child", doc(allow("sts:AssumeRole", first["Arn"])))
    limited = assume(user, role["Arn"], PolicyArns=[{"arn": only_first}])
    assert can_assume(limited, first) and not can_assume(limited, second)
    error = error_of(assume, limited, second["Arn"])
    assert error["message"] == (f"User: {client('sts', limited).get_caller_identity()['Arn']} is not authorized "
                                f"to perform: sts:AssumeRole on resource: {second['Arn']}")
    unlimited = assume(user, role["Arn"])
    assert can_assume(unlimited, first) and can_assume(unlimited, second)


def test_inline_and_managed_session_policies_together_allow_their_union(targets):
    """'Session policies': several session policies may be passed; the session may do what
    any of them allows, within the role's permissions."""
    first, second = targets
    role = chain_role()
    _, user = make_user("child", doc(allow("sts:AssumeRole")))
    managed_first = managed_policy("child", doc(allow("sts:AssumeRole", first["Arn"])))
    both = assume(user, role["Arn"], PolicyArns=[{"arn": managed_first}],
                  Policy=doc(allow("sts:AssumeRole", second["Arn"])))
    assert can_assume(both, first) and can_assume(both, second)


def test_session_policy_cannot_grant_beyond_the_role(targets):
    """'Session policies': "You cannot use session policies to grant more permissions than
    those allowed by the identity-based policy of the role"."""
    first, _ = targets
    role = make_role("child", doc(trust_statement(child_root())), doc(allow("sts:GetCallerIdentity")))
    _, user = make_user("child", doc(allow("sts:AssumeRole")))
    generous = managed_policy("child", doc(allow("*")))
    assert not can_assume(assume(user, role["Arn"], PolicyArns=[{"arn": generous}]), first)


def test_at_most_ten_policy_arns():
    """'AssumeRole' (PolicyArns): "You can provide up to 10 managed policy ARNs"."""
    role = chain_role()
    _, user = make_user("child", doc(allow("sts:AssumeRole")))
    arn = managed_policy("child", doc(allow("sts:AssumeRole")))
    error = error_of(assume, user, role["Arn"], PolicyArns=[{"arn": arn}] * 11)
    assert error["code"] == "ValidationError" and error["status"] == 400
    assert error["message"].endswith("at 'policyArns' failed to satisfy constraint: "
                                     "Member must have length less than or equal to 10")
    assert can_assume(user, role) and assume(user, role["Arn"], PolicyArns=[{"arn": arn}] * 10)


def test_inline_session_policy_limit():
    """'IAM and AWS STS quotas': the plaintext inline session policy is at most 2,048 characters."""
    role = chain_role()
    _, user = make_user("child", doc(allow("sts:AssumeRole")))
    big = doc(*[allow("sts:AssumeRole", f"arn:aws:iam::{account_id('parent')}:role/r{i:04d}") for i in range(40)])
    assert len(big) > 2048
    error = error_of(assume, user, role["Arn"], Policy=big)
    assert error["code"] == "ValidationError"
    assert error["message"].endswith("at 'policy' failed to satisfy constraint: "
                                     "Member must have length less than or equal to 2048")


# --- Session tags: permissions -------------------------------------------------------------

def test_session_tags_need_tag_session_from_the_caller_and_the_trust_policy():
    """'Pass session tags in AWS STS', permissions required: to pass session tags the
    caller's identity policy and the role's trust policy must both allow sts:TagSession."""
    tags = [{"Key": "team", "Value": "blue"}]
    trusting = make_role("parent", doc(trust_statement(child_root(), BOTH)))
    not_trusting = make_role("parent", doc(trust_statement(child_root())))
    caller, with_tag = make_user("child", doc(allow(BOTH)))
    _, without_tag = make_user("child", doc(allow("sts:AssumeRole")))

    assert client("sts", assume(with_tag, trusting["Arn"], Tags=tags)).get_caller_identity()
    error = error_of(assume, without_tag, trusting["Arn"], Tags=tags)
    assert error["code"] == "AccessDenied" and "sts:TagSession on resource: " + trusting["Arn"] in error["message"]
    error = error_of(assume, with_tag, not_trusting["Arn"], Tags=tags)
    assert error == {"code": "AccessDenied", "status": 403, "message": (
        f"User: {caller['Arn']} is not authorized to perform: sts:TagSession on resource: {not_trusting['Arn']}")}
    assert client("sts", assume(without_tag, not_trusting["Arn"])).get_caller_identity()  # no tags: no TagSession


def test_trust_policy_conditions_on_request_tags_and_tag_keys():
    """'Pass session tags in AWS STS' and 'Controlling access during AWS requests':
    aws:RequestTag/key and aws:TagKeys hold the tags passed with the request."""
    statement = trust_statement(child_root(), "sts:TagSession", Condition={
        "StringEquals": {"aws:RequestTag/team": ["blue", "green"]},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}})
    role = make_role("parent", doc(trust_statement(child_root()), statement))
    _, user = make_user("child", doc(allow(BOTH)))
    assert assume(user, role["Arn"], Tags=[{"Key": "team", "Value": "green"}])
    assert not can_assume_with_tags(user, role, [{"Key": "team", "Value": "red"}])
    assert not can_assume_with_tags(user, role, [{"Key": "team", "Value": "blue"}, {"Key": "owner", "Value": "x"}])


def can_assume_with_tags(session, role, tags) -> bool:
    error = error_of(assume, session, role["Arn"], Tags=tags)
    assert error["code"] == "AccessDenied" and "sts:TagSession" in error["message"]
    return False


# --- Session tags: aws:PrincipalTag and chaining -------------------------------------------

def principal_tag_gate(team: str):
    """A parent role the caller may assume only while aws:PrincipalTag/team is `team`
    (it allows sts:TagSession too, which inherited transitive tags need)."""
    return make_role("parent", doc(trust_statement(child_root(), BOTH, Condition={
        "StringEquals": {"aws:PrincipalTag/team": team}})))


def test_session_tags_override_role_tags_in_principal_tag():
    """'Pass session tags in AWS STS': the request context's aws:PrincipalTag holds the
    role's tags and the session tags; "If a session tag has the same key as a role tag,
    the session tag value overrides the role tag"."""
    blue_gate, red_gate = principal_tag_gate("blue"), principal_tag_gate("red")
    role = chain_role(tags=[{"Key": "team", "Value": "red"}])
    _, user = make_user("child", doc(allow(BOTH)))
    untagged = assume(user, role["Arn"])
    assert can_assume(untagged, red_gate) and not can_assume(untagged, blue_gate)
    tagged = assume(user, role["Arn"], Tags=[{"Key": "Team", "Value": "blue"}])
    assert can_assume(tagged, blue_gate) and not can_assume(tagged, red_gate)


def test_transitive_tags_follow_a_role_chain_and_others_do_not():
    """'Chaining roles with session tags': tags named in TransitiveTagKeys pass to the next
    session in the chain (and stay transitive); the other session tags do not."""
    blue_gate, alpha_gate = principal_tag_gate("blue"), make_role("parent", doc(trust_statement(
        child_root(), BOTH, Condition={"StringEquals": {"aws:PrincipalTag/project": "alpha"}})))
    first, second, third = chain_role(), chain_role(), chain_role()
    _, user = make_user("child", doc(allow(BOTH)))
    session = assume(user, first["Arn"], Tags=[{"Key": "team", "Value": "blue"}, {"Key": "project", "Value": "alpha"}],
                     TransitiveTagKeys=["team"])
    assert can_assume(session, blue_gate) and can_assume(session, alpha_gate)
    chained = assume(assume(session, second["Arn"]), third["Arn"])
    assert can_assume(chained, blue_gate) and not can_assume(chained, alpha_gate)


def test_inherited_transitive_tags_need_tag_session_and_cannot_be_overridden():
    """'Chaining roles with session tags': inherited transitive tags tag the next session
    (so its trust policy must allow sts:TagSession), and a later session cannot set
    a different value for a transitive key."""
    tagging, not_tagging = chain_role(), make_role(
        "child", doc(trust_statement(child_root())), doc(allow("sts:AssumeRole")))
    _, user = make_user("child", doc(allow(BOTH)))
    session = assume(user, tagging["Arn"], Tags=[{"Key": "team", "Value": "blue"}], TransitiveTagKeys=["team"])
    error = error_of(assume, session, not_tagging["Arn"])
    assert error["code"] == "AccessDenied" and "sts:TagSession" in error["message"]
    error = error_of(assume, session, chain_role()["Arn"], Tags=[{"Key": "TEAM", "Value": "red"}])
    assert error["code"] == "ValidationError" and "['TEAM']" in error["message"]


# --- STS limits on session tags -------------------------------------------------------------

@pytest.mark.parametrize("tags, field, constraint", [
    ([{"Key": f"k{i}", "Value": "v"} for i in range(51)], "tags", "Member must have length less than or equal to 50"),
    ([{"Key": "k" * 129, "Value": "v"}], "tags.member.key", "Member must have length less than or equal to 128"),
    ([{"Key": "k", "Value": "v" * 257}], "tags.member.value", "Member must have length less than or equal to 256"),
])
def test_session_tag_limits(tags, field, constraint):
    """STS API Reference 'Tag' and 'AssumeRole': up to 50 session tags, keys up to 128
    characters, values up to 256."""
    role = chain_role()
    _, user = make_user("child", doc(allow(BOTH)))
    error = error_of(assume, user, role["Arn"], Tags=tags)
    assert error["code"] == "ValidationError" and error["status"] == 400
    assert error["message"].startswith("1 validation error detected: Value ")
    assert error["message"].endswith(f"at '{field}' failed to satisfy constraint: {constraint}")
    assert assume(user, role["Arn"], Tags=[{"Key": "k" * 128, "Value": "v" * 256}] + [
        {"Key": f"k{i}", "Value": "v"} for i in range(49)])
