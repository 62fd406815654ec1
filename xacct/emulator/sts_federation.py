"""STS's federation calls (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) answered as STS does.

These calls are unsigned: the token or assertion is the credential.  The emulator keeps no
OIDC or SAML identity providers, so it never mints credentials for them; it answers in
STS's XML error shape: AccessDenied when the role's trust policy does not federate the
call ("IAM User Guide: Create a role for web identity or OpenID Connect federation"),
otherwise an error naming the feature it does not model.  moto would mint credentials
for any role without looking at the trust policy.
"""

from __future__ import annotations

import json

from moto.iam.models import iam_backends

from xacct.emulator import arns, iam_propagation
from xacct.emulator.errors import AwsError, json_error, query_error

FEDERATION_ACTIONS = {"assumerolewithwebidentity": "sts:AssumeRoleWithWebIdentity",
                      "assumerolewithsaml": "sts:AssumeRoleWithSAML"}


def _first(data: dict, name: str) -> str:
    value = data.get(name)
    return (value[0] if value else "") if isinstance(value, list) else (value or "")


def _trust_federates(role, action: str) -> bool:
    try:
        trust = json.loads(role.assume_role_policy_document)
    except (TypeError, ValueError):
        return False
    statements = trust.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        principal = statement.get("Principal")
        if (statement.get("Effect") == "Allow" and isinstance(principal, dict) and "Federated" in principal
                and any(a.lower() in (action.lower(), "sts:*", "*") for a in actions)):
            return True
    return False


def federation_error(action_name: str, data: dict) -> AwsError:
    """The answer to an unsigned AssumeRoleWithWebIdentity / AssumeRoleWithSAML request."""
    action = FEDERATION_ACTIONS[action_name.lower()]
    role_arn = _first(data, "RoleArn")
    parts = arns.parse(role_arn)
    role = None
    if parts and parts["account"] in iam_backends:
        role = iam_propagation.role(parts["account"], parts["partition"], role_arn)
    if role is None or not _trust_federates(role, action):
        return query_error(403, "AccessDenied", f"Not authorized to perform {action}")
    kind = "web identity (OIDC) tokens" if action.endswith("WebIdentity") else "SAML assertions"
    return query_error(501, "NotImplemented",
                       f"The emulator keeps no identity providers and does not verify {kind}: {action} is not supported",
                       sender=False)


def unsigned_request_error(path: str) -> AwsError:
    """A request without a signature, other than the federation calls ("Common Errors"),
    in the XML of query services (which post to "/") or the JSON of REST-JSON ones."""
    error = query_error if path.split("?", 1)[0] in ("", "/") else json_error
    return error(403, "MissingAuthenticationToken", "Missing Authentication Token")
