"""What AWS remembers about a role session that moto does not: its session tags, which of
them are transitive, and the managed policies passed as session policies (`PolicyArns`).

Recorded when STS answers AssumeRole ("IAM User Guide: Pass session tags in AWS STS",
"Session policies"), read whenever the session's credentials sign a request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SessionExtras:
    tags: dict[str, str] = field(default_factory=dict)
    transitive_keys: frozenset[str] = frozenset()   # lower-cased keys
    policy_arns: tuple[str, ...] = ()

    @property
    def transitive_tags(self) -> dict[str, str]:
        return {k: v for k, v in self.tags.items() if k.lower() in self.transitive_keys}


NONE = SessionExtras()
_SESSIONS: dict[str, SessionExtras] = {}
_LOCK = threading.Lock()


def remember(access_key_id: str, extras: SessionExtras) -> None:
    with _LOCK:
        _SESSIONS[access_key_id] = extras


def extras_of(access_key_id: str | None) -> SessionExtras:
    with _LOCK:
        return _SESSIONS.get(access_key_id or "", NONE)


def query_members(data: dict, prefix: str) -> list[dict[str, str] | str]:
    """Members of a query-protocol list (`Tags.member.1.Key=...`, `TransitiveTagKeys.member.1=...`)."""
    found: dict[int, dict[str, str] | str] = {}
    start = prefix + ".member."
    for name, value in data.items():
        if not name.startswith(start):
            continue
        value = value[0] if isinstance(value, list) else value
        index, _, attribute = name[len(start):].partition(".")
        if not index.isdigit():
            continue
        if attribute:
            entry = found.setdefault(int(index), {})
            if isinstance(entry, dict):
                entry[attribute] = value
        else:
            found[int(index)] = value
    return [found[i] for i in sorted(found)]


def requested_extras(data: dict) -> tuple[dict[str, str], list[str], list[str]]:
    """Tags, TransitiveTagKeys and PolicyArns of an AssumeRole request."""
    tags = {m.get("Key", ""): m.get("Value", "") for m in query_members(data, "Tags") if isinstance(m, dict)}
    transitive = [m for m in query_members(data, "TransitiveTagKeys") if isinstance(m, str)]
    arns = [m.get("arn", "") for m in query_members(data, "PolicyArns") if isinstance(m, dict)]
    return tags, transitive, arns


def tag_session_context(tags: dict[str, str], caller: SessionExtras) -> dict | None:
    """The request keys of sts:TagSession, or None when the new session gets no tags.

    Passed tags and the caller's incoming transitive tags both tag the new session
    ("Chaining roles with session tags"), so both need sts:TagSession.
    """
    all_tags = {**caller.transitive_tags, **tags}
    if not all_tags:
        return None
    context: dict = {f"aws:RequestTag/{key}": value for key, value in all_tags.items()}
    context["aws:TagKeys"] = list(all_tags)
    return context


def chaining_errors(tags: dict[str, str], caller: SessionExtras) -> list[str]:
    """A role chain cannot override an incoming transitive tag ("Chaining roles with session tags")."""
    inherited = {key.lower() for key in caller.transitive_tags}
    clash = sorted(key for key in tags if key.lower() in inherited)
    if clash:
        return [f"The session tag key(s) {clash} are transitive from the calling session and cannot be overridden."]
    return []


def new_session_extras(tags: dict[str, str], transitive_keys: list[str], policy_arns: list[str],
                       caller: SessionExtras) -> SessionExtras:
    """The new session's tags: the caller's transitive tags stay transitive."""
    inherited = caller.transitive_tags
    return SessionExtras(
        tags={**inherited, **tags},
        transitive_keys=frozenset(k.lower() for k in [*inherited, *transitive_keys]),
        policy_arns=tuple(policy_arns),
    )
