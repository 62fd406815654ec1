"""IAM's write-time checks on policies, names and paths, applied where moto writes them.

IAM refuses a document it cannot use when it is written, not when it is evaluated
("IAM User Guide: IAM JSON policy element reference", "IAM and AWS STS quotas", and the
IAM API Reference for each call), so a Terraform apply that AWS refuses fails here too,
with AWS's error code and message.  moto's own validators (syntax, version, actions,
resources, unknown condition operators) run first; this module adds what they lack:
invalid JSON reported as IAM reports it, principals that must exist, no partial
wildcards in principal ARNs, the size quotas, and name and path limits.
"""

from __future__ import annotations

import json
import re

from moto.iam.exceptions import LimitExceededException, MalformedPolicyDocument, ValidationError
from moto.iam.models import iam_backends
from moto.iam.policy_validation import IAMTrustPolicyDocumentValidator

from xacct.emulator import arns

# "IAM and AWS STS quotas": character limits; IAM does not count white space.
TRUST_POLICY_LIMIT = 2048          # role trust policy, default quota (adjustable to 4096)
ROLE_INLINE_AGGREGATE_LIMIT = 10240
USER_INLINE_AGGREGATE_LIMIT = 2048
GROUP_INLINE_AGGREGATE_LIMIT = 5120
MANAGED_POLICY_LIMIT = 6144

# IAM API Reference (CreateRole, CreateUser, CreatePolicy, PutRolePolicy): names and paths.
_NAME_PATTERN = r"[\w+=,.@-]+"
_PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
NAME_LIMITS = {"roleName": 64, "userName": 64, "policyName": 128}
PATH_LIMIT = 512

_UNIQUE_ID = re.compile(r"A(ROA|IDA)[A-Z0-9]{12,}")


def policy_size(document: str) -> int:
    return len(re.sub(r"\s", "", document))


def _validation(field: str, value: str, constraint: str) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}")


def check_name(field: str, value: str) -> None:
    limit = NAME_LIMITS[field]
    if len(value) > limit:
        raise _validation(field, value, f"Member must have length less than or equal to {limit}")
    if len(value) < 1 or not re.fullmatch(_NAME_PATTERN, value, re.ASCII):
        raise _validation(field, value, f"Member must satisfy regular expression pattern: {_NAME_PATTERN}")


def check_path(value: str | None) -> None:
    if value is None:
        return
    if len(value) > PATH_LIMIT:
        raise _validation("path", value, f"Member must have length less than or equal to {PATH_LIMIT}")
    if not re.fullmatch(_PATH_PATTERN, value):
        raise _validation("path", value, f"Member must satisfy regular expression pattern: {_PATH_PATTERN}")


def _load(document: str):
    try:
        return json.loads(document)
    except (TypeError, ValueError):
        raise MalformedPolicyDocument("This policy contains invalid Json") from None


def _statements(parsed) -> list:
    statements = parsed.get("Statement", []) if isinstance(parsed, dict) else []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def check_identity_policy(document: str, limit: int, quota_name: str | None = None) -> None:
    """Before moto's own validation: JSON, size, and no principal (moto's validator runs after)."""
    parsed = _load(document)
    if quota_name and policy_size(document) > limit:
        raise LimitExceededException(f"Cannot exceed quota for {quota_name}: {limit}")
    # "Principal" element page: not in identity-based policies; "NotPrincipal": nor there.
    if any("Principal" in s or "NotPrincipal" in s for s in _statements(parsed)):
        raise MalformedPolicyDocument("Policy document should not specify a principal.")


def check_inline_aggregate(existing: dict[str, str], policy_name: str, document: str,
                           limit: int, kind: str, owner: str) -> None:
    """Inline policies of one role, user or group share one aggregate quota."""
    total = sum(policy_size(doc) for name, doc in existing.items() if name != policy_name)
    if total + policy_size(document) > limit:
        raise LimitExceededException(f"Maximum policy size of {limit} bytes exceeded for {kind} {owner}")


def check_trust_policy(document: str, limit: int = TRUST_POLICY_LIMIT) -> None:
    parsed = _load(document)
    if policy_size(document) > limit:
        raise LimitExceededException(f"Cannot exceed quota for ACLSizePerRole: {limit}")
    IAMTrustPolicyDocumentValidator(document).validate()
    for statement in _statements(parsed):
        # "NotPrincipal" element page: "You cannot use the NotPrincipal element in ... an IAM
        # role trust policy."
        if "NotPrincipal" in statement:
            raise MalformedPolicyDocument("Has prohibited field NotPrincipal.")
        principal = statement.get("Principal")
        if isinstance(principal, dict):
            for value in _as_list(principal.get("AWS", [])):
                if not principal_exists(value):
                    raise MalformedPolicyDocument(f'Invalid principal in policy: "AWS":"{value}"')


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def principal_exists(value) -> bool:
    """Whether IAM would accept `value` as an "AWS" principal ("Principal" element page).

    `*` and accounts are accepted; a role or user must exist (IAM binds it to its unique
    ID); a wildcard inside an ARN never is ("You cannot use a wildcard to match part of a
    principal name or ARN").
    """
    if not isinstance(value, str):
        return False
    if value == "*" or re.fullmatch(r"\d{12}", value):
        return True
    if "*" in value or "?" in value:
        return False
    if _UNIQUE_ID.fullmatch(value):
        return any(_owner_of_unique_id(value))
    parts = arns.parse(value)
    if parts is None or parts["service"] not in ("iam", "sts") or not re.fullmatch(r"\d{12}", parts["account"]):
        return False
    if arns.root_account(value):
        return True
    kind = arns.iam_principal_kind(value)
    if kind == "assumed-role":
        return True
    backend = iam_backends[parts["account"]][parts["partition"]]
    if kind == "role":
        return any(role.arn == value for role in backend.roles.values())
    if kind == "user":
        return any(user.arn == value for user in backend.users.values())
    return False


def _owner_of_unique_id(unique_id: str):
    for account in list(iam_backends.keys()):
        for backend in iam_backends[account].values():
            yield unique_id in backend.roles or any(u.id == unique_id for u in backend.users.values())
