"""A small IAM policy engine for the emulator.

Stock moto does not evaluate IAM the way AWS does, so the emulator asks this
module whether sts:AssumeRole, sagemaker:InvokeEndpoint(Async) and
lambda:InvokeFunction are allowed.  Every rule below follows the AWS IAM User
Guide pages "Policy evaluation logic", "Cross-account policy evaluation
logic", "IAM JSON policy elements" (Principal, Action, Resource, Condition)
and "Condition operators".  Anything the engine does not model raises
UnsupportedPolicyFeature: it must never silently allow.

Pure Python, stdlib only.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping


class UnsupportedPolicyFeature(Exception):
    """A policy uses something this engine does not evaluate."""


@dataclass(frozen=True)
class Principal:
    arn: str
    account: str
    principal_arn: str
    org_id: str | None = None
    is_role_session: bool = False


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
            is_null = _parse_operator(operator).base == "Null"
            for value in (v for values in block.values() for v in _policy_values(values)):
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

def _glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    # '*' matches any run of characters (including ':' and '/'), '?' exactly one.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def _arn_like(pattern: str, value: str) -> bool:
    # "Condition operators", ARN: each of the six colon-delimited components
    # is matched separately, so a '*' cannot swallow a ':' before the resource.
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(_glob(p, v) for p, v in zip(pattern_parts, value_parts))


def _action_matches(statement: dict, action: str) -> bool:
    # "IAM JSON policy elements: Action": action names are case-insensitive.
    if "Action" in statement:
        return any(_glob(p, action, ignore_case=True) for p in _as_list(statement["Action"]))
    return not any(_glob(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))


def _resource_matches(statement: dict, resource: str) -> bool:
    # "IAM JSON policy elements: Resource": ARNs match case-sensitively.  A
    # resource-based policy without Resource applies to the resource it is
    # attached to (trust policies never name one).
    if "Resource" in statement:
        return any(_glob(p, resource) for p in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(_glob(p, resource) for p in _as_list(statement["NotResource"]))
    return True


# --------------------------------------------------------------------------
# Conditions ("IAM JSON policy elements: Condition operators")
# --------------------------------------------------------------------------

_OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    # name: (match(policy_value, request_value), negated)
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.casefold() == v.casefold(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.casefold() == v.casefold(), True),
    "StringLike": (_glob, False),
    "StringNotLike": (_glob, True),
    "ArnEquals": (_arn_like, False),  # ArnEquals and ArnLike behave identically
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
}
_QUALIFIERS = ("ForAnyValue:", "ForAllValues:")


@dataclass(frozen=True)
class _Operator:
    base: str
    qualifier: str | None
    if_exists: bool


def _parse_operator(name: str) -> _Operator:
    qualifier = next((q[:-1] for q in _QUALIFIERS if name.startswith(q)), None)
    base = name[len(qualifier) + 1:] if qualifier else name
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    if base == "Null" and (if_exists or qualifier):
        # "You can add IfExists to the end of any condition operator name
        # except the Null condition".
        raise UnsupportedPolicyFeature(f"condition operator {name!r} is not valid")
    if base != "Null" and base not in _OPERATORS:
        raise UnsupportedPolicyFeature(f"condition operator {name!r} is not supported")
    return _Operator(base, qualifier, if_exists)


def _policy_values(values) -> list[str]:
    # JSON true/false are written as strings by AWS; accept both spellings.
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(values)]


def _conditions_hold(condition: dict, context: Mapping[str, list[str]]) -> bool:
    # All operators AND, all keys within an operator AND ("Condition" page).
    return all(
        _key_holds(_parse_operator(name), values, context.get(key.lower()))
        for name, block in condition.items()
        for key, values in block.items()
    )


def _key_holds(op: _Operator, values, request: list[str] | None) -> bool:
    policy_values = _policy_values(values)
    if op.base == "Null":
        # "true": the key must be absent; "false": it must be present.
        return any((v.lower() == "true") == (request is None) for v in policy_values)
    match, negated = _OPERATORS[op.base]
    if request is None:
        # Missing key: IfExists -> true; ForAllValues -> true (vacuously);
        # ForAnyValue -> false; otherwise false, or true for negated operators.
        if op.if_exists or op.qualifier == "ForAllValues":
            return True
        return False if op.qualifier == "ForAnyValue" else negated

    def value_ok(value: str) -> bool:
        # Multiple policy values for one key are ORed; a negated operator is
        # true only when the value matches none of them.
        return any(match(p, value) for p in policy_values) != negated

    if op.qualifier == "ForAllValues":
        return all(value_ok(v) for v in request)
    if op.qualifier == "ForAnyValue":
        return any(value_ok(v) for v in request)
    positive = any(match(p, v) for p in policy_values for v in request)
    return positive != negated


def _build_context(context: Mapping | None, principal: Principal) -> dict[str, list[str]]:
    # Condition keys are case-insensitive ("Condition" page); values are lists
    # so single- and multivalued keys share one code path.  An empty list is a
    # null data set, i.e. the key is absent.
    merged: dict[str, list[str]] = {}
    for key, value in (context or {}).items():
        values = _policy_values(value)
        if values:
            merged[key.lower()] = values
    # Global keys AWS derives from the authenticated caller; callers cannot
    # override them ("AWS global condition context keys").
    merged["aws:principalarn"] = [principal.principal_arn]
    merged["aws:principalaccount"] = [principal.account]
    if principal.org_id:
        merged["aws:principalorgid"] = [principal.org_id]
    return merged


# --------------------------------------------------------------------------
# Principal element ("IAM JSON policy elements: Principal")
# --------------------------------------------------------------------------

# How directly a resource-based policy names the caller.  Same-account
# evaluation depends on it ("Policy evaluation logic", resource-based policies).
_DIRECT, _ROLE, _ACCOUNT = 3, 2, 1
_ROOT_ARN = re.compile(r"arn:[\w-]+:iam::(\d{12}):root")
_PRINCIPAL_TYPES = {"AWS", "Service", "Federated", "CanonicalUser"}


def _principal_strength(element, principal: Principal) -> int:
    """0 if the Principal element does not name the caller, else how directly."""
    if element == "*":
        return _DIRECT
    # Only "AWS" can name our callers; Service/Federated/CanonicalUser never do.
    return max((_aws_value_strength(v, principal) for v in _as_list(element.get("AWS", []))), default=0)


def _aws_value_strength(value: str, principal: Principal) -> int:
    if value == "*":
        return _DIRECT
    if "*" in value:
        return 0  # "You cannot use a wildcard to match part of a principal name or ARN"
    root = _ROOT_ARN.fullmatch(value)
    if (root and root.group(1) == principal.account) or value == principal.account:
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
            and _conditions_hold(statement.get("Condition", {}), request.context))


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


def _is_trust_action(action: str) -> bool:
    # Role trust policies must always allow the caller, even in the same
    # account ("Policy evaluation logic": trust policies are the exception).
    return action.lower().startswith("sts:assumerole")


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
    if not grant and _is_trust_action(action):
        return Decision(False, "no_resource_allow")
    return Decision(not identity_side, identity_side or "allowed")


def _first_failure(*checks: tuple[bool, str]) -> str | None:
    return next((reason for ok, reason in checks if not ok), None)


def _is_root(principal: Principal) -> bool:
    return _ROOT_ARN.fullmatch(principal.arn) is not None


# --------------------------------------------------------------------------
# Helpers for the emulator
# --------------------------------------------------------------------------

_SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_EXTERNAL_ID_PATTERN = r"[\w+=,.@:/-]*"
_CHAINED_SESSION_LIMIT = 3600


def _constraint_errors(field: str, value: str | None, pattern: str,
                       min_len: int, max_len: int, required: bool) -> list[str]:
    prefix = "1 validation error detected: Value {} at '" + field + "' failed to satisfy constraint: "
    if value is None:
        return [prefix.format("null") + "Member must not be null"] if required else []
    shown = prefix.format(f"'{value}'")
    errors = []
    if len(value) < min_len:
        errors.append(shown + f"Member must have length greater than or equal to {min_len}")
    if len(value) > max_len:
        errors.append(shown + f"Member must have length less than or equal to {max_len}")
    # Java's \w (STS's regex dialect) is ASCII-only.
    if re.fullmatch(pattern, value, re.ASCII) is None:
        errors.append(shown + f"Member must satisfy regular expression pattern: {pattern}")
    return errors


def assume_role_input_errors(*, role_session_name: str | None, external_id: str | None,
                             duration_seconds: int | None, max_session_duration: int,
                             caller_is_role_session: bool) -> list[str]:
    """AWS STS AssumeRole parameter validation messages; empty when valid."""
    errors = _constraint_errors("roleSessionName", role_session_name, _SESSION_NAME_PATTERN, 2, 64, True)
    errors += _constraint_errors("externalId", external_id, _EXTERNAL_ID_PATTERN, 2, 1224, False)
    duration = 3600 if duration_seconds is None else duration_seconds
    field = f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: "
    if duration < 900:
        errors.append(field + "Member must have value greater than or equal to 900")
    elif duration > 43200:
        errors.append(field + "Member must have value less than or equal to 43200")
    elif caller_is_role_session and duration > _CHAINED_SESSION_LIMIT:
        errors.append("The requested DurationSeconds exceeds the 1 hour session limit "
                      "for roles assumed by role chaining.")
    elif duration > max_session_duration:
        errors.append("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return errors


def sagemaker_endpoint_arn(region: str, account: str, endpoint_name: str) -> str:
    # SageMaker stores endpoint names case-insensitively and reports the ARN lower-cased.
    return f"arn:{_partition(region)}:sagemaker:{region}:{account}:endpoint/{endpoint_name.lower()}"


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


_DENIAL_SUFFIXES = {
    "no_identity_allow": " because no identity-based policy allows the {action} action",
    "explicit_deny_identity": " with an explicit deny in an identity-based policy",
    "no_resource_allow": " because no resource-based policy allows the {action} action",
    "explicit_deny_resource": " with an explicit deny in a resource-based policy",
    "boundary": " because no permissions boundary allows the {action} action",
    "session_policy": " because no session policy allows the {action} action",
}


def access_denied_message(principal_arn_of_caller: str, action: str, resource: str,
                          decision: Decision) -> str:
    if decision.allowed:
        raise ValueError("an allowed decision has no access-denied message")
    message = f"User: {principal_arn_of_caller} is not authorized to perform: {action} on resource: {resource}"
    if _is_trust_action(action):
        return message  # STS still returns the classic message without a reason
    return message + _DENIAL_SUFFIXES[decision.reason].format(action=action)
