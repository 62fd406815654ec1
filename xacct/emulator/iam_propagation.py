"""IAM's eventual consistency: authorization sees IAM as it was N seconds ago (off by default).

IAM User Guide, "Troubleshoot IAM", "Changes that I make are not always immediately
visible": IAM is reached through a distributed system, and a change (a new role, a trust
policy, a policy put, attached or detached) takes time to reach every service that
authorizes with it; AWS advises not to put IAM changes in the critical path of an
application and to check that a change has propagated before relying on it. Both
directions lag: a grant added a moment ago can still be refused, and a grant removed a
moment ago can still be honoured.

The model: with `--iam-propagation-seconds N` (or `PUT /_emulator/iam-propagation`) every
IAM write that changes what a principal may do is recorded as a snapshot of the
authorization-relevant IAM state of every account (roles with their trust, inline and
attached policies, boundary and tags; users; groups; the default version of each
customer-managed policy), taking effect N seconds after the write. The IAM engine
(`identity.py`, `authz.py`) reads roles, users, groups and policy documents through
`role`, `user`, `groups_of` and `policy_document` below, which serve the newest snapshot in
effect: so at time t it decides with IAM as it stood at t - N. IAM's own API (GetRole,
GetRolePolicy, ... everything Terraform reads back) answers from moto's live state at once,
as IAM's does. AWS managed policies never change and are read live (and never copied).

What lags is the set of writes in `WRITES`. Access keys, STS sessions, Lambda function
policies, SageMaker's model checks at CreateModel (sagemaker_model_checks.py reads IAM live)
and the decisions moto takes itself (every action the IAM engine leaves to it) do not.
With N = 0 (the default) nothing is recorded and every read is live.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends

# The IAMBackend methods that change what a principal may do.
WRITES = (
    "create_role", "delete_role", "update_assume_role_policy", "put_role_policy", "delete_role_policy",
    "attach_role_policy", "detach_role_policy", "put_role_permissions_boundary",
    "delete_role_permissions_boundary", "tag_role", "untag_role", "update_role",
    "create_user", "delete_user", "put_user_policy", "delete_user_policy", "attach_user_policy",
    "detach_user_policy", "tag_user", "untag_user", "add_user_to_group", "remove_user_from_group",
    "put_user_permissions_boundary", "delete_user_permissions_boundary",  # added by iam_user_boundary.py
    "create_group", "delete_group", "put_group_policy", "delete_group_policy", "attach_group_policy",
    "detach_group_policy",
    "create_policy", "delete_policy", "create_policy_version", "delete_policy_version",
    "set_default_policy_version",
)
MAX_SECONDS = 3600


# --- what authorization reads: one small immutable record per entity ---------------------


@dataclass(frozen=True)
class RoleView:
    arn: str
    id: str
    name: str
    assume_role_policy_document: str
    policies: dict          # inline policy name -> document
    managed_policies: tuple  # attached policy ARNs
    permissions_boundary_arn: str | None
    tags: tuple             # ({"Key", "Value"}, ...)
    max_session_duration: object

    @classmethod
    def of(cls, role) -> "RoleView":
        tags = role.tags.values() if isinstance(role.tags, dict) else role.tags or []
        return cls(role.arn, role.id, role.name, role.assume_role_policy_document, dict(role.policies),
                   tuple(role.managed_policies), role.permissions_boundary_arn,
                   tuple(dict(t) for t in tags), role.max_session_duration)


@dataclass(frozen=True)
class UserView:
    arn: str
    id: str
    name: str
    policies: dict
    managed_policies: tuple
    permissions_boundary_arn: str | None
    tags: tuple
    groups: tuple           # group names

    @classmethod
    def of(cls, backend, user) -> "UserView":
        groups = tuple(g.name for g in backend.groups.values() if user in g.users)
        return cls(user.arn, user.id, user.name, dict(user.policies), tuple(user.managed_policies),
                   getattr(user, "permissions_boundary_arn", None),
                   tuple(dict(t) for t in backend.list_user_tags(user.name)), groups)


@dataclass(frozen=True)
class GroupView:
    name: str
    policies: dict
    managed_policies: tuple

    @classmethod
    def of(cls, group) -> "GroupView":
        return cls(group.name, dict(group.policies), tuple(group.managed_policies))


@dataclass(frozen=True)
class AccountView:
    roles: dict = field(default_factory=dict)     # ARN -> RoleView
    users: dict = field(default_factory=dict)     # name -> UserView
    groups: dict = field(default_factory=dict)    # name -> GroupView
    policies: dict = field(default_factory=dict)  # customer-managed policy ARN -> default document


def default_document(policy) -> str:
    """The default version's document of a moto managed policy."""
    return next(v.document for v in policy.versions if v.version_id == policy.default_version_id)


def _capture() -> dict[tuple[str, str], AccountView]:
    """The authorization-relevant IAM state of every account, as moto holds it now."""
    world = {}
    for account in list(iam_backends.keys()):
        for partition, backend in list(iam_backends[account].items()):
            world[(account, partition)] = AccountView(
                roles={role.arn: RoleView.of(role) for role in list(backend.roles.values())},
                users={user.name: UserView.of(backend, user) for user in list(backend.users.values())},
                groups={group.name: GroupView.of(group) for group in list(backend.groups.values())},
                policies={arn: default_document(p) for arn, p in list(backend.managed_policies.items())
                          if not isinstance(p, AWSManagedPolicy)},
            )
    return world


# --- the lagging view -----------------------------------------------------------------------


class Propagation:
    """Snapshots of IAM taken after each write, each in effect from `seconds` after it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.seconds = 0.0
        self._history: list[tuple[float, dict]] = []  # (in effect from, world), oldest first
        self._depth = 0  # nested writes (delete_role rewrites other trusts) record once
        self.lock = threading.RLock()

    def set_seconds(self, seconds) -> float:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_SECONDS:
            raise ValueError(f"IAM propagation must be a number of seconds from 0 to {MAX_SECONDS}")
        with self.lock:
            self.seconds = float(seconds)
            if not self.seconds:
                self._history.clear()  # off: every change is in effect at once
        return self.seconds

    @property
    def enabled(self) -> bool:
        return self.seconds > 0

    def write(self, apply: Callable[[], object]):
        """Run one IAM write and record what it changed, in effect `seconds` from now."""
        with self.lock:
            outermost = self._depth == 0
            if outermost and not self._history:
                self._history.append((-math.inf, _capture()))  # what was in effect before
            self._depth += 1
            try:
                result = apply()
            finally:
                self._depth -= 1
            if outermost:
                self._history.append((self.clock() + self.seconds, _capture()))
            return result

    def view(self) -> dict | None:
        """The world authorization sees now; None when it is moto's live state."""
        if not self._history:
            return None
        with self.lock:
            now = self.clock()
            current = max((i for i, (since, _) in enumerate(self._history) if since <= now), default=0)
            del self._history[:current]
            if len(self._history) == 1:  # the last write is in effect: live state is the same
                self._history.clear()
                return None
            return self._history[0][1]


PROPAGATION = Propagation()


def _account(account: str, partition: str) -> AccountView | None:
    world = PROPAGATION.view()
    return None if world is None else world.get((account, partition))


def _live(account: str, partition: str):
    return iam_backends[account][partition]


def role(account: str, partition: str, arn: str) -> RoleView | None:
    """The role `arn` as authorization sees it, or None (no such role, or not visible yet)."""
    seen = _account(account, partition)
    if seen is not None:
        return seen.roles.get(arn)
    try:
        return RoleView.of(_live(account, partition).get_role_by_arn(arn))
    except Exception:
        return None


def user(account: str, partition: str, name: str) -> UserView | None:
    seen = _account(account, partition)
    if seen is not None:
        return seen.users.get(name)
    backend = _live(account, partition)
    found = backend.users.get(name)
    return UserView.of(backend, found) if found is not None else None


def groups_of(account: str, partition: str, user_view: UserView) -> list[GroupView]:
    seen = _account(account, partition)
    groups = seen.groups if seen is not None else {g.name: GroupView.of(g) for g in _live(account, partition).groups.values()}
    return [groups[name] for name in user_view.groups if name in groups]


def policy_document(account: str, partition: str, arn: str | None):
    """The default document of managed policy `arn` as authorization sees it, or None."""
    if not arn:
        return None
    seen = _account(account, partition)
    if seen is not None and arn in seen.policies:
        return seen.policies[arn]
    policy = _live(account, partition).managed_policies.get(arn)
    if policy is None or (seen is not None and not isinstance(policy, AWSManagedPolicy)):
        return None  # deleted, or a customer policy not visible yet
    return default_document(policy)


# --- hooks on moto's IAM backend --------------------------------------------------------------


def recorded_write(apply: Callable[[], object]):
    """Run one IAM write, recorded for the lagging view when propagation is on."""
    return PROPAGATION.write(apply) if PROPAGATION.enabled else apply()


def _recorded(original):
    @functools.wraps(original)
    def method(self, *args, **kwargs):
        return recorded_write(lambda: original(self, *args, **kwargs))

    method.__xacct_propagation__ = True
    return method


def install() -> None:
    """Wrap every write in `WRITES` (after iam_hooks, so a refused write records nothing new)."""
    from xacct.emulator import iam_user_boundary  # it imports this module

    iam_user_boundary.install()  # the user boundary writes exist before they are wrapped
    for name in WRITES:
        current = getattr(IAMBackend, name)
        if not getattr(current, "__xacct_propagation__", False):
            setattr(IAMBackend, name, _recorded(current))
