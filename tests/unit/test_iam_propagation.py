"""The emulator's IAM propagation delay: authorization sees IAM as it was N seconds ago.

Specification: IAM User Guide, "Troubleshoot IAM", "Changes that I make are not always
immediately visible": a change to IAM (a role, a trust policy, a policy put, attached or
removed) takes time to be seen by the services that authorize with it, in both directions.
AWS documents no figure for the delay; the emulator's is whatever it is told (off by default).

These tests drive moto's IAM backend in this process with a fake clock (no waiting): each
shows a change invisible to authorization until its time has come, while IAM's own read of
the same entity shows it at once.
"""

from __future__ import annotations

import json

import pytest
from moto.iam.models import iam_backends

from xacct.emulator import iam_propagation
from xacct.emulator.__main__ import parse_args
from xacct.emulator.identity import role_documents

pytestmark = pytest.mark.unit

ACCOUNT, PARTITION = "444455556666", "aws"
DELAY = 5.0


def doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


TRUST_ROOT = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"})
TRUST_OTHER = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Action": "sts:AssumeRole"})
GRANT = doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
INVOKE = doc({"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": "*"})


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A lagging view on a fake clock; off again (and its history gone) afterwards."""
    iam_propagation.install()
    fake = FakeClock()
    monkeypatch.setattr(iam_propagation.PROPAGATION, "clock", fake)
    iam_propagation.PROPAGATION.set_seconds(DELAY)
    yield fake
    iam_propagation.PROPAGATION.set_seconds(0)


@pytest.fixture
def iam():
    backend = iam_backends[ACCOUNT][PARTITION]
    yield backend
    iam_propagation.PROPAGATION.set_seconds(0)
    for role in list(backend.roles.values()):
        for name in list(role.policies):
            backend.delete_role_policy(role.name, name)
        for arn in list(role.managed_policies):
            backend.detach_role_policy(arn, role.name)
        backend.delete_role(role.name)
    for arn, policy in list(backend.managed_policies.items()):
        if not isinstance(policy, iam_propagation.AWSManagedPolicy):
            backend.delete_policy(arn)


def create_role(iam, name: str, trust: str = TRUST_ROOT):
    return iam.create_role(role_name=name, assume_role_policy_document=trust, path="/", permissions_boundary=None,
                           description="", tags=[], max_session_duration="3600")


def seen(role) -> iam_propagation.RoleView | None:
    return iam_propagation.role(ACCOUNT, PARTITION, role.arn)


def granted(role) -> list:
    view = seen(role)
    return role_documents(ACCOUNT, view, PARTITION)[0] if view is not None else []


def test_off_by_default_every_change_is_in_effect_at_once(iam):
    assert iam_propagation.Propagation().seconds == 0
    assert parse_args([]).iam_propagation_seconds == 0
    role = create_role(iam, "at-once")
    assert seen(role) is not None
    iam.put_role_policy("at-once", "grant", GRANT)
    assert granted(role) == [GRANT]


def test_a_new_role_is_not_visible_until_its_time_while_getrole_shows_it(iam, clock):
    role = create_role(iam, "fresh")
    assert iam.get_role("fresh").arn == role.arn, "IAM's own API shows the role at once"
    assert seen(role) is None, "authorization does not see it yet"
    clock.now += DELAY - 0.1
    assert seen(role) is None
    clock.now += 0.1
    assert seen(role).id == role.id


def test_a_grant_added_is_refused_and_a_grant_removed_is_honoured_until_they_propagate(iam, clock):
    role = create_role(iam, "granted")
    clock.now += DELAY
    iam.put_role_policy("granted", "grant", GRANT)
    assert granted(role) == [], "a new grant is not in effect yet"
    clock.now += DELAY
    assert granted(role) == [GRANT]
    iam.delete_role_policy("granted", "grant")
    assert iam.get_role("granted").policies == {}, "IAM's own API shows the removal at once"
    assert granted(role) == [GRANT], "a removed grant still applies"
    clock.now += DELAY
    assert granted(role) == []


def test_a_trust_change_takes_effect_late_in_both_directions(iam, clock):
    role = create_role(iam, "trusting", TRUST_ROOT)
    clock.now += DELAY
    iam.update_assume_role_policy("trusting", TRUST_OTHER)
    assert seen(role).assume_role_policy_document == TRUST_ROOT
    clock.now += DELAY / 2
    iam.update_assume_role_policy("trusting", TRUST_ROOT)  # changed back before the first arrived
    assert seen(role).assume_role_policy_document == TRUST_ROOT
    clock.now += DELAY / 2
    assert seen(role).assume_role_policy_document == TRUST_OTHER, "each change arrives in its turn"
    clock.now += DELAY / 2
    assert seen(role).assume_role_policy_document == TRUST_ROOT


def test_a_deleted_role_keeps_its_effect_until_the_deletion_propagates(iam, clock):
    role = create_role(iam, "doomed")
    iam.put_role_policy("doomed", "grant", GRANT)
    clock.now += DELAY
    iam.delete_role_policy("doomed", "grant")
    iam.delete_role("doomed")
    assert seen(role) is not None and granted(role) == [GRANT]
    clock.now += DELAY
    assert seen(role) is None


def test_managed_policies_attach_detach_and_new_default_versions_lag(iam, clock):
    role = create_role(iam, "managed")
    policy = iam.create_policy(description="", path="/", policy_document=GRANT, policy_name="managed-grant", tags=[])
    clock.now += DELAY
    iam.attach_role_policy(policy.arn, "managed")
    assert granted(role) == []
    clock.now += DELAY
    assert granted(role) == [GRANT]
    iam.create_policy_version(policy.arn, INVOKE, "true")
    assert granted(role) == [GRANT], "the old default version still applies"
    clock.now += DELAY
    assert granted(role) == [INVOKE]
    iam.detach_role_policy(policy.arn, "managed")
    assert granted(role) == [INVOKE]
    clock.now += DELAY
    assert granted(role) == []


def test_aws_managed_policies_are_read_live_and_never_copied(iam, clock):
    """moto loads AWS's managed policies only when asked (MOTO_IAM_LOAD_MANAGED_POLICIES); one
    is added here by hand, as moto would load it."""
    aws_policy = iam_propagation.AWSManagedPolicy.from_data("XacctReadOnly", ACCOUNT, "us-east-1", {
        "DefaultVersionId": "v1", "Path": "/", "Document": json.loads(INVOKE),
        "CreateDate": "2015-02-06T18:39:48+00:00", "UpdateDate": "2015-02-06T18:39:48+00:00"})
    iam.managed_policies[aws_policy.arn] = aws_policy
    try:
        create_role(iam, "copies")
        world = iam_propagation.PROPAGATION.view()
        assert world is not None
        assert world[(ACCOUNT, PARTITION)].policies == {}, "only customer-managed policies are snapshotted"
        assert json.loads(iam_propagation.policy_document(ACCOUNT, PARTITION, aws_policy.arn)) == json.loads(INVOKE)
    finally:
        del iam.managed_policies[aws_policy.arn]


def test_user_policies_and_groups_lag(iam, clock):
    user = iam.create_user(region_name="us-east-1", user_name="lagging-user")
    iam.create_group("lagging-group", "/")
    clock.now += DELAY
    iam.put_user_policy("lagging-user", "own", GRANT)
    iam.put_group_policy("lagging-group", "shared", INVOKE)
    iam.add_user_to_group("lagging-group", "lagging-user")
    view = iam_propagation.user(ACCOUNT, PARTITION, "lagging-user")
    assert view.policies == {} and view.groups == ()
    clock.now += DELAY
    view = iam_propagation.user(ACCOUNT, PARTITION, "lagging-user")
    assert view.id == user.id and view.policies == {"own": GRANT}
    assert [g.policies for g in iam_propagation.groups_of(ACCOUNT, PARTITION, view)] == [{"shared": INVOKE}]
    iam.remove_user_from_group("lagging-group", "lagging-user")
    iam.delete_group_policy("lagging-group", "shared")
    iam.delete_group("lagging-group")
    iam.delete_user_policy("lagging-user", "own")
    iam.delete_user("lagging-user")


def test_turning_the_delay_off_puts_every_change_in_effect_at_once(iam, clock):
    role = create_role(iam, "switched")
    assert seen(role) is None
    iam_propagation.PROPAGATION.set_seconds(0)
    assert seen(role) is not None


def test_once_every_change_has_arrived_the_view_is_live_again(iam, clock):
    create_role(iam, "settled")
    assert iam_propagation.PROPAGATION.view() is not None
    clock.now += DELAY
    assert iam_propagation.PROPAGATION.view() is None, "nothing left to lag: no copy is served"


@pytest.mark.parametrize("value", [-1, 3601, "5", True, None])
def test_the_delay_must_be_a_number_of_seconds_within_an_hour(value):
    with pytest.raises(ValueError, match="IAM propagation must be a number of seconds from 0 to 3600"):
        iam_propagation.Propagation().set_seconds(value)


def test_every_recorded_write_is_an_iam_backend_method():
    """Fails loudly when a moto upgrade renames a write the delay must see."""
    from moto.iam.models import IAMBackend

    assert [name for name in iam_propagation.WRITES if not callable(getattr(IAMBackend, name, None))] == []


def test_the_start_flag_reaches_a_running_emulator():
    """`--iam-propagation-seconds` (passed by EmulatorProcess) lags a real AssumeRole decision,
    while the account's administrator, created at start, is already in effect."""
    from botocore.exceptions import ClientError

    from xacct.emulator.client import EmulatorProcess

    with EmulatorProcess(iam_propagation_seconds=600) as emulator:
        assert emulator.control("GET", "iam-propagation")["seconds"] == 600
        iam = emulator.client("iam", "parent")
        parent = emulator.accounts["parent"].id
        trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{parent}:root"}, "Action": "sts:AssumeRole"})
        role = iam.create_role(RoleName="fresh", AssumeRolePolicyDocument=trust)["Role"]
        assert iam.get_role(RoleName="fresh")["Role"]["Arn"] == role["Arn"]  # IAM's own read: at once
        with pytest.raises(ClientError) as refused:
            emulator.client("sts", "parent").assume_role(RoleArn=role["Arn"], RoleSessionName="too-early")
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
