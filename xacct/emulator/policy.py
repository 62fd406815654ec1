"""A small IAM policy engine for the emulator.

Stock moto does not evaluate IAM the way AWS does, so the emulator asks this
module whether sts:AssumeRole, sagemaker:InvokeEndpoint(Async) and
lambda:InvokeFunction are allowed.  Every rule below follows the AWS IAM User
Guide pages "Policy evaluation logic", "Cross-account policy evaluation
logic", "IAM JSON policy elements" (Principal, Action, Resource, Condition)
and "Condition operators" (the operators themselves live in conditions.py).
Anything the engine does not model raises UnsupportedPolicyFeature: it must never
silently allow.  This module evaluates and nothing else: ARNs live in arns.py, STS
input rules in sts_rules.py, denial texts in denials.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Mapping

from xacct.emulator import arns
from xacct.emulator.conditions import (
    UnsupportedPolicyFeature,
    conditions_hold,
    glob,
    parse_operator,
    policy_values,
)

__all__ = ["Decision", "Principal", "UnsupportedPolicyFeature", "evaluate", "is_trust_action", "parse_policy"]


@dataclass(frozen=True)
class Principal:
    arn: str
    account: str
    principal_arn: str
    org_id: str | None = None
    is_role_session: bool = False
    # Keys AWS derives from the caller ("AWS global condition context keys"):
    # aws:PrincipalType (User, AssumedRole, Account), aws:userid, aws:username,
    # aws:PrincipalTag/* (session tags over the role's or user's tags).
    principal_type: str | None = None
    user_id: str | None = None
    username: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    # An AWS service acting for itself (sagemaker.amazonaws.com assuming an execution role):
    # named by the Principal element's "Service" value, and in the context only by
    # aws:PrincipalServiceName ("AWS global condition context keys").
    service: str | None = None


@dataclass
class Decision:
    allowed: bool
    reason: str


# --------------------------------------------------------------------------
# Parsing and validation ("IAM JSON policy element reference")
# --------------------------------------------------------------------------

_VERSIONS = {"2012-10-17", "2008-10-17"}
_TOP_KEYS = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action",
                   "NotAction", "Resource", "NotResource", "Condition"}
_EXCLUSIVE = (("Action", "NotAction"), ("Resource", "NotResource"),
              ("Principal", "NotPrincipal"))


def parse_policy(doc) -> dict:
    """Return a validated copy of `doc` whose Statement is always a list."""
    if isinstance(doc, (str, bytes)):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise ValueError(f"policy is not valid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError("policy must be a JSON object")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise ValueError(f"policy has unknown top-level element(s): {sorted(unknown)}")
    # A missing Version means 2008-10-17 (Version element page); others are invalid.
    if "Version" in doc and doc["Version"] not in _VERSIONS:
        raise ValueError(f"policy Version must be one of {sorted(_VERSIONS)}, got {doc['Version']!r}")
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise ValueError("policy must contain a non-empty Statement")
    for index, statement in enumerate(statements):
        _validate_statement(statement, index)
    return {**doc, "Statement": statements}


def _validate_statement(statement, index: int) -> None:
    where = f"Statement[{index}]"
    if not isinstance(statement, dict):
        raise ValueError(f"{where} must be a JSON object")
    unknown = set(statement) - _STATEMENT_KEYS
    if unknown:
        raise ValueError(f"{where} has unknown element(s): {sorted(unknown)}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise ValueError(f"{where} Effect must be 'Allow' or 'Deny', got {statement.get('Effect')!r}")
    for first, second in _EXCLUSIVE:
        if first in statement and second in statement:
            raise ValueError(f"{where} cannot contain both {first} and {second}")
    if "Action" not in statement and "NotAction" not in statement:
        raise ValueError(f"{where} must contain Action or NotAction")
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            values = statement[key]
            if not values or not all(isinstance(v, str) for v in _as_list(values)):
                raise ValueError(f"{where} {key} must be a string or a non-empty list of strings")
    for action in _as_list(statement.get("Action", statement.get("NotAction"))):
        if action != "*" and ":" not in action:
            raise ValueError(f"{where} action {action!r} must be prefixed by a service namespace")
    condition = statement.get("Condition", {})
    if not isinstance(condition, dict) or not all(isinstance(b, dict) for b in condition.values()):
        raise ValueError(f"{where} Condition must map operators to {{key: value(s)}} objects")


def _check_policy(policy: dict, *, resource_based: bool) -> None:
    """Reject what AWS would reject for this policy type, and what we don't model."""
    for statement in policy["Statement"]:
        if "NotPrincipal" in statement:
            raise UnsupportedPolicyFeature("NotPrincipal is not supported")
        if resource_based:
            _check_principal(statement.get("Principal"))
        elif "Principal" in statement:
            raise ValueError("identity-based, session and boundary policies cannot contain Principal")
        elif "Resource" not in statement and "NotResource" not in statement:
            raise ValueError("identity-based policy statements must contain Resource or NotResource")
        for pattern in _as_list(statement.get("Resource", statement.get("NotResource", []))):
            _refuse_policy_variable(pattern)
        for operator, block in statement.get("Condition", {}).items():
            is_null = parse_operator(operator).base == "Null"
            for value in (v for values in block.values() for v in policy_values(values)):
                _refuse_policy_variable(value)
                if is_null and value.lower() not in ("true", "false"):
                    raise ValueError(f"Null condition values must be 'true' or 'false', got {value!r}")


def _check_principal(element) -> None:
    if element is None:
        raise ValueError("every statement of a resource-based policy must have a Principal")
    if element == "*":
        return
    if (not isinstance(element, dict) or not element or not set(element) <= _PRINCIPAL_TYPES
            or not all(isinstance(v, str) for values in element.values() for v in _as_list(values))):
        raise ValueError(f"malformed Principal element: {element!r}")


def _refuse_policy_variable(text: str) -> None:
    # Policy variables ("Policy variables" page) need request data we do not
    # model; guessing their value could grant access, so fail loudly.
    if "${" in text:
        raise UnsupportedPolicyFeature(f"policy variables are not supported: {text!r}")


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------
# Wildcard matching (Action, Resource, StringLike, ArnLike)
# --------------------------------------------------------------------------

def _action_matches(statement: dict, action: str) -> bool:
    # "IAM JSON policy elements: Action": action names are case-insensitive.
    if "Action" in statement:
        return any(glob(p, action, ignore_case=True) for p in _as_list(statement["Action"]))
    return not any(glob(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))


def _resource_matches(statement: dict, resource: str) -> bool:
    # "IAM JSON policy elements: Resource": ARNs match case-sensitively.  A
    # resource-based policy without Resource applies to the resource it is
    # attached to (trust policies never name one).
    if "Resource" in statement:
        return any(glob(p, resource) for p in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(glob(p, resource) for p in _as_list(statement["NotResource"]))
    return True


# --------------------------------------------------------------------------
# Request context ("AWS global condition context keys")
# --------------------------------------------------------------------------

def _build_context(context: Mapping | None, principal: Principal) -> dict[str, list[str]]:
    # Condition keys are case-insensitive ("Condition" page); values are lists
    # so single- and multivalued keys share one code path.  An empty list is a
    # null data set, i.e. the key is absent.
    merged: dict[str, list[str]] = {}
    for key, value in (context or {}).items():
        values = policy_values(value)
        if values:
            merged[key.lower()] = values
    if principal.service:
        # A service principal has no ARN, account, type or tags of its own.
        merged["aws:principalservicename"] = [principal.service]
        return merged
    # Global keys AWS derives from the authenticated caller; callers cannot
    # override them ("AWS global condition context keys").
    merged["aws:principalarn"] = [principal.principal_arn]
    merged["aws:principalaccount"] = [principal.account]
    if principal.org_id:
        merged["aws:principalorgid"] = [principal.org_id]
    if principal.principal_type:
        merged["aws:principaltype"] = [principal.principal_type]
    if principal.user_id:
        merged["aws:userid"] = [principal.user_id]
    if principal.username:
        merged["aws:username"] = [principal.username]
    for key, value in principal.tags:
        merged[f"aws:principaltag/{key.lower()}"] = [value]
    return merged


# --------------------------------------------------------------------------
# Principal element ("IAM JSON policy elements: Principal")
# --------------------------------------------------------------------------

# How directly a resource-based policy names the caller.  Same-account
# evaluation depends on it ("Policy evaluation logic", resource-based policies).
_DIRECT, _ROLE, _ACCOUNT = 3, 2, 1
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}


def _principal_strength(element, principal: Principal) -> int:
    """0 if the Principal element does not name the caller, else how directly."""
    if element == "*":
        return _DIRECT
    if principal.service:
        # "AWS service principals": named by "Service", exactly (service names take no wildcard).
        return _DIRECT if principal.service in _as_list(element.get("Service", [])) else 0
    # "AWS" names the other callers; Federated/CanonicalUser never do.
    return max((_aws_value_strength(v, principal) for v in _as_list(element.get("AWS", []))), default=0)


def _aws_value_strength(value: str, principal: Principal) -> int:
    if value == "*":
        return _DIRECT
    if "*" in value:
        return 0  # "You cannot use a wildcard to match part of a principal name or ARN"
    if arns.root_account(value) == principal.account or value == principal.account:
        return _ACCOUNT
    if value == principal.arn:
        return _DIRECT  # the user ARN, or the exact assumed-role session ARN
    if principal.is_role_session and value == principal.principal_arn:
        return _ROLE  # a role ARN covers every session of that role
    return 0


# --------------------------------------------------------------------------
# Evaluation ("Policy evaluation logic", "Cross-account policy evaluation logic")
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Request:
    action: str
    resource: str
    principal: Principal
    context: dict[str, list[str]]


def _applies(statement: dict, request: _Request) -> bool:
    return (_action_matches(statement, request.action)
            and _resource_matches(statement, request.resource)
            and conditions_hold(statement.get("Condition", {}), request.context))


def _has_effect(policies: Iterable[dict], effect: str, request: _Request) -> bool:
    return any(s["Effect"] == effect and _applies(s, request)
               for policy in policies for s in policy["Statement"])


def _resource_grant(policy: dict | None, request: _Request) -> int:
    """Strongest way an applicable Allow in the resource policy names the caller."""
    if policy is None:
        return 0
    return max((_principal_strength(s["Principal"], request.principal)
                for s in policy["Statement"]
                if s["Effect"] == "Allow" and _applies(s, request)), default=0)


def _resource_denies(policy: dict | None, request: _Request) -> bool:
    return policy is not None and any(
        s["Effect"] == "Deny" and _applies(s, request)
        and _principal_strength(s["Principal"], request.principal)
        for s in policy["Statement"])


def is_trust_action(action: str) -> bool:
    # Role trust policies must always allow the caller, even in the same
    # account ("Policy evaluation logic": trust policies are the exception).
    # sts:TagSession and sts:SetSourceIdentity are decided by the trust policy too.
    action = action.lower()
    return action.startswith("sts:assumerole") or action in ("sts:tagsession", "sts:setsourceidentity")


def evaluate(*, action: str, resource: str, principal: Principal,
             identity_policies: list, session_policies: list = (),
             permissions_boundary=None, resource_policy=None,
             resource_account: str, context: Mapping | None = None) -> Decision:
    identity = [parse_policy(p) for p in identity_policies]
    sessions = [parse_policy(p) for p in session_policies]
    boundary = [parse_policy(permissions_boundary)] if permissions_boundary is not None else []
    resource_doc = parse_policy(resource_policy) if resource_policy is not None else None
    for policy in identity + sessions + boundary:
        _check_policy(policy, resource_based=False)
    if resource_doc is not None:
        _check_policy(resource_doc, resource_based=True)
    request = _Request(action, resource, principal, _build_context(context, principal))

    # Step 1: an explicit Deny in any applicable policy is final.
    if _has_effect(identity + sessions + boundary, "Deny", request):
        return Decision(False, "explicit_deny_identity")
    if _resource_denies(resource_doc, request):
        return Decision(False, "explicit_deny_resource")

    # Each limit is an intersection; the root user needs no identity policy.
    identity_ok = _is_root(principal) or _has_effect(identity, "Allow", request)
    boundary_ok = not boundary or _has_effect(boundary, "Allow", request)
    session_ok = not sessions or _has_effect(sessions, "Allow", request)
    identity_side = _first_failure(
        (identity_ok, "no_identity_allow"), (boundary_ok, "boundary"), (session_ok, "session_policy"))
    grant = _resource_grant(resource_doc, request)

    if principal.account != resource_account:
        # Cross-account: the caller's account AND the resource policy must allow.
        if identity_side:
            return Decision(False, identity_side)
        return Decision(bool(grant), "allowed" if grant else "no_resource_allow")

    # Same account.  A resource policy naming the user or the exact session is
    # not limited by implicit denies elsewhere; naming the role ARN is still
    # limited by the boundary and session policies; naming the account
    # delegates to the identity policies.
    if grant == _DIRECT:
        return Decision(True, "allowed")
    if grant == _ROLE:
        limit = _first_failure((boundary_ok, "boundary"), (session_ok, "session_policy"))
        return Decision(not limit, limit or "allowed")
    if not grant and is_trust_action(action):
        return Decision(False, "no_resource_allow")
    return Decision(not identity_side, identity_side or "allowed")


def _first_failure(*checks: tuple[bool, str]) -> str | None:
    return next((reason for ok, reason in checks if not ok), None)


def _is_root(principal: Principal) -> bool:
    return arns.root_account(principal.arn) is not None
