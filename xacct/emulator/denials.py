"""The text of AWS's access-denied messages for a decision of the policy engine.

AWS's message names the caller, action and resource, and since 2021 the kind of policy
that denied ("IAM User Guide: Troubleshoot access denied error messages").
"""

from __future__ import annotations

from xacct.emulator.policy import Decision, is_trust_action

_SUFFIXES = {
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
    if is_trust_action(action):
        return message  # STS still returns the classic message without a reason
    return message + _SUFFIXES[decision.reason].format(action=action)
