"""STS AssumeRole input rules, as the STS API Reference (AssumeRole, Tag,
PolicyDescriptorType) states them, with STS's validation messages."""

from __future__ import annotations

import re

_SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_EXTERNAL_ID_PATTERN = r"[\w+=,.@:/-]*"
_TAG_KEY_PATTERN = r"[\w\s.:/=+\-@]+"   # [\p{L}\p{Z}\p{N}_.:/=+\-@]+
_TAG_VALUE_PATTERN = r"[\w\s.:/=+\-@]*"
_CHAINED_SESSION_LIMIT = 3600
MAX_SESSION_TAGS = 50          # Tag: "You can pass up to 50 session tags"
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
MAX_POLICY_ARNS = 10           # AssumeRole PolicyArns: "up to 10 managed policy ARNs"
MAX_INLINE_SESSION_POLICY = 2048


def _prefix(value_shown: str, field: str) -> str:
    return f"1 validation error detected: Value {value_shown} at '{field}' failed to satisfy constraint: "


def _constraint_errors(field: str, value: str | None, pattern: str,
                       min_len: int, max_len: int, required: bool, *, ascii_only: bool = True) -> list[str]:
    if value is None:
        return [_prefix("null", field) + "Member must not be null"] if required else []
    shown = _prefix(f"'{value}'", field)
    errors = []
    if len(value) < min_len:
        errors.append(shown + f"Member must have length greater than or equal to {min_len}")
    if len(value) > max_len:
        errors.append(shown + f"Member must have length less than or equal to {max_len}")
    # Java's \w (STS's regex dialect) is ASCII-only; \p{L} in the tag patterns is not.
    if re.fullmatch(pattern, value, re.ASCII if ascii_only else 0) is None:
        errors.append(shown + f"Member must satisfy regular expression pattern: {pattern}")
    return errors


def assume_role_input_errors(*, role_session_name: str | None, external_id: str | None,
                             duration_seconds: int | None, max_session_duration: int,
                             caller_is_role_session: bool) -> list[str]:
    """AWS STS AssumeRole parameter validation messages; empty when valid."""
    errors = _constraint_errors("roleSessionName", role_session_name, _SESSION_NAME_PATTERN, 2, 64, True)
    errors += _constraint_errors("externalId", external_id, _EXTERNAL_ID_PATTERN, 2, 1224, False)
    duration = 3600 if duration_seconds is None else duration_seconds
    field = _prefix(f"'{duration}'", "durationSeconds")
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


def session_input_errors(*, policy: str | None, policy_arns: list[str],
                         tags: dict[str, str], transitive_tag_keys: list[str]) -> list[str]:
    """Limits on session policies and session tags (AssumeRole, Tag; "IAM and AWS STS quotas")."""
    errors = []
    if policy is not None and len(policy) > MAX_INLINE_SESSION_POLICY:
        errors.append(_prefix("'" + policy + "'", "policy")
                      + f"Member must have length less than or equal to {MAX_INLINE_SESSION_POLICY}")
    if len(policy_arns) > MAX_POLICY_ARNS:
        errors.append(_prefix(f"'{policy_arns}'", "policyArns")
                      + f"Member must have length less than or equal to {MAX_POLICY_ARNS}")
    if len(tags) > MAX_SESSION_TAGS:
        errors.append(_prefix("'[...]'", "tags")
                      + f"Member must have length less than or equal to {MAX_SESSION_TAGS}")
    for key, value in tags.items():
        errors += _constraint_errors("tags.member.key", key, _TAG_KEY_PATTERN, 1, MAX_TAG_KEY, True, ascii_only=False)
        errors += _constraint_errors("tags.member.value", value, _TAG_VALUE_PATTERN, 0, MAX_TAG_VALUE, True,
                                     ascii_only=False)
    if len(transitive_tag_keys) > MAX_SESSION_TAGS:
        errors.append(_prefix("'[...]'", "transitiveTagKeys")
                      + f"Member must have length less than or equal to {MAX_SESSION_TAGS}")
    return errors
