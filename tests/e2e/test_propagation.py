"""The propagation lane: each kind of IAM change, checked both ways while IAM lags.

IAM User Guide, "Troubleshoot IAM", "Changes that I make are not always immediately
visible": a new role, a trust policy change, a grant added or a grant removed reaches
authorization some time after it is made. Here the emulator delays every IAM change by
LAG seconds (`set_iam_propagation`; on real AWS IAM lags by itself and nothing is set), and
for each kind of change one positive and one negative check go through the waiting of
xacct/propagation.py. Each check is preceded by its opposite outcome, so it cannot pass
because of a state that held before the change; on the emulator each also shows that an
immediate check would have got the stale answer. Plain boto3 AssumeRole calls, no
Terraform: the lane takes seconds.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.e2e.helpers import session_from
from xacct.propagation import eventually_allowed, eventually_denied, refusal
from xacct.targets import EmulatorOnly

pytestmark = [pytest.mark.e2e, pytest.mark.propagation]

LAG = 2.0  # seconds; AWS states no figure, a few seconds keeps the lane short


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


GRANT = _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})


def _trust(child_id: str, *principal_arns: str) -> str:
    """The parent module's shape: the child account root, narrowed by aws:PrincipalArn."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child_id}:root"}}
    if principal_arns:
        statement["Condition"] = {"ArnLike": {"aws:PrincipalArn": list(principal_arns)}}
    return _doc(statement)


@pytest.fixture(scope="module")
def lag(target):
    """LAG on the emulator (the suite's own delay afterwards); None on real AWS, whose own delay nobody sets."""
    before = getattr(target, "iam_propagation_seconds", 0)
    try:
        target.set_iam_propagation(LAG)
    except EmulatorOnly:
        yield None
        return
    try:
        yield LAG
    finally:
        target.set_iam_propagation(before)


class World:
    """Child roles (sessions of which call) and parent roles (which they assume)."""

    def __init__(self, target, prefix: str):
        self.target, self.prefix = target, prefix
        self.child_id = target.accounts["child"].id
        self.created: list[tuple[str, str, list[str]]] = []  # (account, role name, inline policy names)

    def role(self, account: str, name: str, trust: str, grant: str | None = None) -> str:
        iam = self.target.client("iam", account)
        arn = iam.create_role(RoleName=self.prefix + name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        self.created.append((account, self.prefix + name, []))
        if grant is not None:
            self.grant(account, name, grant)
        return arn

    def grant(self, account: str, name: str, document: str = GRANT) -> None:
        self.target.client("iam", account).put_role_policy(RoleName=self.prefix + name, PolicyName="grant",
                                                           PolicyDocument=document)
        next(c for c in self.created if c[1] == self.prefix + name)[2].append("grant")

    def revoke(self, account: str, name: str) -> None:
        self.target.client("iam", account).delete_role_policy(RoleName=self.prefix + name, PolicyName="grant")
        next(c for c in self.created if c[1] == self.prefix + name)[2].remove("grant")

    def session(self, child_role_arn: str):
        """A session of a child role, as its workload would hold (the child admin assumes it)."""
        creds = eventually_allowed(lambda: self.target.client("sts", "child").assume_role(
            RoleArn=child_role_arn, RoleSessionName="workload"), what=f"assuming {child_role_arn}")["Credentials"]
        return session_from(creds, self.target.region)

    def assume(self, session, role_arn: str):
        """The call under test: a child role session assumes a parent role."""
        return lambda: self.target.client("sts", session=session).assume_role(RoleArn=role_arn, RoleSessionName="probe")

    def delete_all(self) -> None:
        for account, name, policies in reversed(self.created):
            iam = self.target.client("iam", account)
            for policy in policies:
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
            iam.delete_role(RoleName=name)


@pytest.fixture(scope="module")
def world(target, lag, run_prefix):
    """Every long-lived role at once, so their propagation is waited for once."""
    prefix = f"{run_prefix}p-"
    w = World(target, prefix)
    try:
        root = _trust(w.child_id)
        arns = {
            "caller": w.role("child", "caller", root, GRANT),        # may assume parent roles
            "bystander": w.role("child", "bystander", root, GRANT),  # the same grant, trusted by fewer
            "grantless": w.role("child", "grantless", root),         # gets its grant in a test
            "revoked": w.role("child", "revoked", root, GRANT),      # loses its grant in a test
        }
        arns["canary"] = w.role("parent", "canary", root)  # admits any child principal its grant allows
        arns["turncoat"] = w.role("parent", "turncoat", _trust(w.child_id, arns["caller"]))
        sessions = {name: w.session(arns[name]) for name in ("caller", "bystander", "grantless", "revoked")}
        w.arns, w.sessions = arns, sessions
        for name in ("caller", "bystander", "revoked"):  # their grants and the canary's trust are in effect
            eventually_allowed(w.assume(sessions[name], arns["canary"]), what=f"{name} assuming the canary")
        yield w
    finally:
        w.delete_all()
        # Roles are all the lane creates (the suites' full leftovers scan would double its time).
        left = [f"{account}: role {role['RoleName']}" for account in ("child", "parent")
                for role in target.client("iam", account).list_roles()["Roles"] if role["RoleName"].startswith(prefix)]
        assert not left, f"left behind: {left}"


def _stale(lag, since: float, call) -> str | None:
    """What an immediate check sees, when it ran inside the lag (else None: too slow to tell)."""
    try:
        outcome = call()
    except Exception as error:  # noqa: BLE001 - the denial is the outcome
        outcome = error
    if lag is None or time.monotonic() - since >= lag:
        return None
    denied = refusal(outcome)
    if denied is None and isinstance(outcome, Exception):
        raise outcome
    return "denied" if denied is not None else "allowed"


def _not_authorized(role_arn: str) -> str:
    return f"is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def test_new_role_and_trust(target, lag, world):
    since = time.monotonic()
    fresh = world.role("parent", "fresh", _trust(world.child_id, world.arns["caller"]))
    caller, bystander = world.sessions["caller"], world.sessions["bystander"]
    assert _stale(lag, since, world.assume(caller, fresh)) in (None, "denied"), "the new role was usable at once"
    # Positive: the trusted caller gets in once the role has propagated.
    assumed = eventually_allowed(world.assume(caller, fresh), what="the trusted caller assuming the new role")
    assert assumed["AssumedRoleUser"]["Arn"].endswith("/probe")
    # Negative: another child role with the same grant is kept out by the trust, shown once the
    # role is visible (first control) and the bystander's grant is in effect (second control).
    message = eventually_denied(world.assume(bystander, fresh), expect=_not_authorized(fresh),
                                controls=[world.assume(caller, fresh), world.assume(bystander, world.arns["canary"])],
                                what="the untrusted caller assuming the new role")
    assert f"assumed-role/{world.prefix}bystander/workload " in message


def test_trust_policy_change(target, lag, world):
    turncoat = world.arns["turncoat"]
    caller, bystander = world.sessions["caller"], world.sessions["bystander"]
    iam = target.client("iam", "parent")
    # Before: the trust admits the caller, not the bystander.
    eventually_allowed(world.assume(caller, turncoat), what="the caller before the change")
    eventually_denied(world.assume(bystander, turncoat), expect=_not_authorized(turncoat),
                      controls=[world.assume(bystander, world.arns["canary"])], what="the bystander before the change")
    since = time.monotonic()
    iam.update_assume_role_policy(RoleName=f"{world.prefix}turncoat",
                                  PolicyDocument=_trust(world.child_id, world.arns["bystander"]))
    assert _stale(lag, since, world.assume(caller, turncoat)) in (None, "allowed"), "the old trust stopped at once"
    # Negative: the caller, no longer in the trust, is refused once the change is in effect.
    eventually_denied(world.assume(caller, turncoat), expect=_not_authorized(turncoat),
                      controls=[world.assume(caller, world.arns["canary"])], what="the caller after the change")
    # Positive: the bystander, now in the trust, gets in.
    eventually_allowed(world.assume(bystander, turncoat), what="the bystander after the change")


def test_identity_policy_grant_added(target, lag, world):
    grantless, canary = world.sessions["grantless"], world.arns["canary"]
    # Before: no grant, no entry (the canary admits any child principal its own grant allows).
    eventually_denied(world.assume(grantless, canary), expect=_not_authorized(canary),
                      controls=[world.assume(world.sessions["caller"], canary)], what="the role before its grant")
    since = time.monotonic()
    world.grant("child", "grantless")
    assert _stale(lag, since, world.assume(grantless, canary)) in (None, "denied"), "the new grant worked at once"
    eventually_allowed(world.assume(grantless, canary), what="the role after its grant")


def test_identity_policy_grant_removed(target, lag, world):
    revoked, canary = world.sessions["revoked"], world.arns["canary"]
    eventually_allowed(world.assume(revoked, canary), what="the role before its grant is removed")
    since = time.monotonic()
    world.revoke("child", "revoked")
    assert _stale(lag, since, world.assume(revoked, canary)) in (None, "allowed"), "the removal took effect at once"
    eventually_denied(world.assume(revoked, canary), expect=_not_authorized(canary),
                      controls=[world.assume(world.sessions["caller"], canary)], what="the role after its grant is removed")
