"""Trust policies name principals by unique ID, as IAM stores them.

"IAM User Guide: IAM identifiers, Unique identifiers": a trust policy that names a role or
user by ARN is bound to that principal's unique ID when it is saved; if the principal is
deleted, the policy shows the old ID (AROA..., AIDA...) in place of the ARN, and a new
principal with the same name does not match it.  Emulated by rewriting, when a role or
user is deleted, every trust policy and Lambda function policy whose Principal names its
ARN; conditions such as aws:PrincipalArn are text and stay as written (which is why an
account-root trust with an aws:PrincipalArn condition survives a re-created role).
"""

from __future__ import annotations

import json
import secrets
import string

from moto.awslambda.models import lambda_backends
from moto.iam.models import iam_backends

_ID_ALPHABET = string.ascii_uppercase + string.digits


def new_user_id() -> str:
    """A user's unique ID as IAM shapes it: AIDA and 17 upper-case letters and digits."""
    return "AIDA" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def _rewrite(document: str, arn: str, unique_id: str) -> str | None:
    try:
        policy = json.loads(document)
    except (TypeError, ValueError):
        return None
    statements = policy.get("Statement", [])
    return json.dumps(policy) if _rewrite_statements(statements, arn, unique_id) else None


def _rewrite_statements(statements, arn: str, unique_id: str) -> bool:
    """Replace `arn` by `unique_id` in the "AWS" principals of `statements`, in place."""
    changed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if not isinstance(principal, dict) or "AWS" not in principal:
            continue
        values = principal["AWS"]
        if isinstance(values, list) and arn in values:
            principal["AWS"] = [unique_id if v == arn else v for v in values]
            changed = True
        elif values == arn:
            principal["AWS"] = unique_id
            changed = True
    return changed


def forget_principal(arn: str, unique_id: str) -> None:
    """Replace `arn` by `unique_id` in every role trust policy of every account."""
    for account in list(iam_backends.keys()):
        for backend in list(iam_backends[account].values()):
            for role in list(backend.roles.values()):
                rewritten = _rewrite(role.assume_role_policy_document, arn, unique_id)
                if rewritten is not None:
                    role.assume_role_policy_document = rewritten
    # Lambda function policies are resource-based policies too ("Lambda resource-based
    # policies" name principals in the same Principal element).
    for account in list(lambda_backends.keys()):
        for backend in list(lambda_backends[account].values()):
            for function in _functions_of(backend):
                statements = function.policy.statements if function.policy is not None else []
                for statement in statements:
                    if statement.get("Principal") == arn:  # AddPermission keeps it as given
                        statement["Principal"] = {"AWS": arn}
                _rewrite_statements(statements, arn, unique_id)


def _functions_of(backend) -> list:
    # LambdaStorage.all() returns copies; the policies live on the stored objects.
    return [function for group in backend._lambdas._functions.values()
            for function in [group["latest"], *group["versions"]]]
