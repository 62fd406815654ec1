"""The reachability proof: examples/two-accounts and examples/multi-child applied together in
the emulator's three accounts, every caller tried against every parent role, endpoint and
invoke action with the right, a wrong and no external ID, and the outcome compared with what
the parent module's inputs intend (xacct/reachability). `make reachability` runs the same.

AWS behaviour encoded (IAM User Guide): "Cross-account policy evaluation logic" (a caller of
another account needs its own grant and the role's trust), "AWS JSON policy elements:
Principal" (the account root stands for every principal of the account), "IAM JSON policy
elements: Condition operators" (ArnLike on aws:PrincipalArn), and the STS API Reference,
AssumeRole (ExternalId).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.conftest import DEMO_MODEL_IMAGE, TARGET, TEST_RUNTIME
from tests.e2e.helpers import leftovers
from xacct.reachability.intent import differences
from xacct.reachability.run import prove, record_outcomes, report

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(TARGET is not None and TARGET.kind != "emulator",
                       reason="the universe uses the emulator's three administrator keys"),
]


SEEDED_CALLER = "child role with grant"


def widen_trust_and_retry(seeded: dict):
    """A deployment mistake seeded by hand: the two-accounts parent role also trusts one more
    role of the child account by ARN. That caller is probed again against the widened role,
    and the trust is restored; the test then requires the comparison to catch it."""
    def run(universe, proof, cases, names):
        role_arn = next(arn for arn, example in proof.roles.items() if example == "two-accounts")
        caller = next(c for c in universe.callers if c.principal.label == SEEDED_CALLER)
        iam, name = universe.client("iam", "parent"), role_arn.split("/")[-1]
        original = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        original = original if isinstance(original, str) else json.dumps(original)
        widened = json.loads(original)
        widened["Statement"].append({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": caller.principal.arn}})
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(widened))
        try:
            own_cases = [c for c in cases if c["role_arn"] == role_arn]
            seeded.update(role_arn=role_arn, cases=own_cases, records=caller.run(own_cases, names, proof.actions))
        finally:
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=original)
    return run


@pytest.fixture(scope="module")
def proof(target, run_prefix, run_tags):
    prefix = f"{run_prefix}r-"
    target.clear_journal()
    seeded: dict = {}
    result = prove(target, prefix, TEST_RUNTIME, DEMO_MODEL_IMAGE, run_tags, before_teardown=widen_trust_and_retry(seeded))
    print(report(result))
    return {"proof": result, "prefix": prefix, "journal": target.journal(), "seeded": seeded}


def test_what_succeeded_is_exactly_what_the_inputs_intend(proof):
    result = proof["proof"]
    assert result.holds, report(result)


def test_the_matrix_is_every_caller_role_case_endpoint_and_action(proof):
    result = proof["proof"]
    per_session = 1 + len(result.endpoints) * len(result.actions)
    assert len(result.intended) == len(result.callers) * len(result.roles) * 3 * per_session
    assert len(result.callers) == 12 and len(result.roles) == 2 and len(result.endpoints) == 3
    assert result.calls == sum(1 for r in result.records), result.calls


def test_only_each_invoker_with_the_right_external_id_assumes_its_own_parent_role(proof):
    """A cross-check of the intent against the examples' documented behaviour (README, Examples)."""
    result = proof["proof"]
    admitted = {(c.principal, result.roles[c.role_arn], c.external_id_case)
                for c, allowed in result.actual.items() if allowed and c.call == "sts:AssumeRole"}
    assert admitted == {
        ("two-accounts invoker exec role", "two-accounts", "right"),
        ("multi-child team-a exec role", "multi-child", "right"),
        ("multi-child team-b exec role", "multi-child", "right"),
    }
    reached = {(c.principal, c.call.rsplit("/", 1)[-1]) for c, allowed in result.actual.items()
               if allowed and c.call != "sts:AssumeRole"}
    prefix = proof["prefix"]
    assert reached == {
        ("two-accounts invoker exec role", f"{prefix}a-echo"),
        ("multi-child team-a exec role", f"{prefix}m-echo"),
        ("multi-child team-b exec role", f"{prefix}m-echo"),
    }


def test_every_call_counted_was_decided_by_the_emulator(proof):
    """The calls tried are real requests: the emulator's journal holds one decision for each."""
    result, journal = proof["proof"], proof["journal"]
    assumes = [e for e in journal if e["action"] == "sts:AssumeRole" and e.get("resource") in result.roles]
    invokes = [e for e in journal if e["action"].startswith("sagemaker:InvokeEndpoint")
               and any(f":assumed-role/{arn.split('/')[-1]}/" in (e.get("caller") or "") for arn in result.roles)]
    records = result.records + proof["seeded"]["records"]  # the seeded re-probe's calls were real too
    tried_assumes = sum(1 for r in records if r["call"] == "sts:AssumeRole")
    assert len(assumes) == tried_assumes, (len(assumes), tried_assumes)
    assert len(invokes) == len(records) - tried_assumes
    assert sum(e["allowed"] for e in assumes) == 3 + 3  # the three invokers, then the seeded caller three times


def test_a_seeded_intent_that_admits_one_more_principal_is_reported(proof):
    """The comparison fails on a difference: the intent widened by one pattern no longer matches."""
    result = proof["proof"]
    intruder = next(p for p in result.callers if p.label == "child role with grant")
    widened = [dataclasses.replace(i, principal_arn_patterns=i.principal_arn_patterns + (intruder.arn,))
               for i in result.intents]
    found = differences(result.outcomes_for(widened), result.actual)
    assert found and all(line.startswith("child role with grant -> ") and "intended allowed, actual denied" in line
                         for line in found), found
    assert sum("sts:AssumeRole" in line for line in found) == len(result.roles)


def test_a_seeded_wider_trust_in_the_deployment_is_reported(proof):
    """The whole proof fails on a real over-permission: the widened role admits the seeded
    caller with every external-ID case, and only those calls differ from the intent."""
    result, seeded = proof["proof"], proof["seeded"]
    tampered = dataclasses.replace(result, actual=dict(result.actual), tried=set(result.tried), errors=[], records=[])
    record_outcomes(tampered, SEEDED_CALLER, seeded["records"], seeded["cases"])
    found = tampered.differences
    assert not tampered.holds
    role = seeded["role_arn"]
    assert {line.split(": intended")[0] for line in found if "sts:AssumeRole" in line} == {
        f"{SEEDED_CALLER} -> {role} (external ID {case}) sts:AssumeRole" for case in ("right", "wrong", "none")}
    assert all(line.startswith(f"{SEEDED_CALLER} -> {role} ") and line.endswith("intended denied, actual allowed")
               for line in found), found
    reachable = [arn for arn in result.endpoints.values() if arn.endswith(f"{proof['prefix']}a-echo")]
    assert len(found) == 3 * (1 + len(reachable)), found  # AssumeRole, then the role's one endpoint, per case


def test_nothing_is_left_in_any_account(target, proof):
    assert leftovers(target, proof["prefix"]) == []
    users = [u["UserName"] for account in target.accounts
             for u in target.client("iam", account).list_users()["Users"] if u["UserName"].startswith(proof["prefix"])]
    assert users == []
