"""Where IAM's write-time rules and unique-ID binding meet moto's IAM backend.

Each hook wraps one IAMBackend method: the checks in iam_validation.py run before moto
writes, and deleting a role or user rewrites the trust policies that named it (see
unique_ids.py).  tests/unit/test_iam_write_validation.py holds the self-test that fails
when a wrapped method moves.
"""

from __future__ import annotations

import functools
import inspect

from moto.iam.models import IAMBackend

from xacct.emulator import iam_validation as rules
from xacct.emulator import unique_ids

HOOKED_METHODS = ("create_role", "update_assume_role_policy", "put_role_policy", "create_policy",
                  "create_policy_version", "put_user_policy", "put_group_policy", "create_user", "delete_role",
                  "delete_user")
_ORIGINALS = {name: getattr(IAMBackend, name) for name in HOOKED_METHODS}


def _create_role(backend, args):
    rules.check_name("roleName", args["role_name"])
    rules.check_path(args.get("path"))
    rules.check_trust_policy(args["assume_role_policy_document"])


def _update_assume_role_policy(backend, args):
    rules.check_trust_policy(args["policy_document"])


def _put_inline_policy(kind: str, limit: int):
    """PutRolePolicy, PutUserPolicy, PutGroupPolicy: the name, the document, and the owner's inline quota."""

    def check(backend, args):
        rules.check_name("policyName", args["policy_name"])
        rules.check_identity_policy(args["policy_json"], limit)
        owner = getattr(backend, f"get_{kind}")(args[f"{kind}_name"])
        rules.check_inline_aggregate(owner.policies, args["policy_name"], args["policy_json"], limit, kind, owner.name)

    return check


def _create_policy(backend, args):
    rules.check_name("policyName", args["policy_name"])
    rules.check_path(args.get("path"))
    rules.check_identity_policy(args["policy_document"], rules.MANAGED_POLICY_LIMIT, "PolicySize")


def _create_policy_version(backend, args):
    rules.check_identity_policy(args["policy_document"], rules.MANAGED_POLICY_LIMIT, "PolicySize")


def _create_user(backend, args):
    rules.check_name("userName", args["user_name"])
    rules.check_path(args.get("path"))


_BEFORE = {
    "create_role": _create_role,
    "update_assume_role_policy": _update_assume_role_policy,
    "put_role_policy": _put_inline_policy("role", rules.ROLE_INLINE_AGGREGATE_LIMIT),
    "put_user_policy": _put_inline_policy("user", rules.USER_INLINE_AGGREGATE_LIMIT),
    "put_group_policy": _put_inline_policy("group", rules.GROUP_INLINE_AGGREGATE_LIMIT),
    "create_policy": _create_policy,
    "create_policy_version": _create_policy_version,
    "create_user": _create_user,
}


def _hooked(name: str):
    original = _ORIGINALS[name]
    signature = inspect.signature(original)

    @functools.wraps(original)
    def method(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        if name in _BEFORE:
            _BEFORE[name](self, bound.arguments)
        if name == "create_user":
            user = original(self, *args, **kwargs)
            user.id = unique_ids.new_user_id()  # moto's IDs are random lower-case text
            return user
        if name == "delete_role":
            gone = self.get_role(bound.arguments["role_name"])
        elif name == "delete_user":
            gone = self.get_user(bound.arguments["user_name"])
        else:
            return original(self, *args, **kwargs)
        result = original(self, *args, **kwargs)
        unique_ids.forget_principal(gone.arn, gone.id)
        return result

    method.__xacct_hook__ = True
    return method


def install() -> None:
    for name in HOOKED_METHODS:
        if not getattr(getattr(IAMBackend, name), "__xacct_hook__", False):
            setattr(IAMBackend, name, _hooked(name))
