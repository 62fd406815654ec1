"""Each module planned with each case's inputs; the plan must hold the case's recorded inventory.

An inventory (tests/plan/cases/MODULE/CASE.yaml) holds the inputs, the number of each
resource type (compared exactly), and the attributes the module sets, with policy
documents parsed so that actions, resources, principals and conditions are compared
field by field. Values are compared as a subset of the plan (tests/plan/inventory.py):
provider defaults are not recorded, `__absent__` marks what must not be there and
`__known_after_apply__` what stays unknown until apply. After an intended change,
regenerate with:

    REGENERATE_INVENTORY=1 make test-plan

and review the diff of the YAML files.

Each plan's IAM policies are also linted with parliament here (xacct/checks/policy_lint.py),
so every case is planned once for both checks.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.plan.fixture import load_cases, recordable, regenerate_requested, write_case
from tests.plan.inventory import ABSENT, mismatches
from xacct.checks import policy_lint

pytestmark = pytest.mark.plan

MODULES = ("parent", "child", "assume-grant")
CASES = [(module, name, case) for module in MODULES for name, case in load_cases(module)]


@pytest.mark.parametrize("module, name, case", CASES, ids=[f"{m}/{n}" for m, n, _ in CASES])
def test_plan_matches_inventory(module_fixture, module, name, case):
    fixture = module_fixture(module, case["inputs"])
    planned = fixture.plan(case["inputs"])
    # A deprecated attribute or argument makes the provider print "Warning: Deprecated ...".
    assert "Deprecated" not in fixture.plan_output, fixture.plan_output
    counts = dict(sorted(Counter(address.split(".")[-2] for address in planned["values"]).items()))
    if regenerate_requested():
        write_case(module, name, {**case, "counts": counts, "values": _keep_absent(case, recordable(planned)),
                                  "outputs": case.get("outputs", {})})
        pytest.skip("inventory regenerated")
    hint = "if the change is intended: REGENERATE_INVENTORY=1 make test-plan"
    assert counts == case["counts"], hint
    assert sorted(planned["values"]) == sorted(a for a, v in case["values"].items() if v != ABSENT), hint
    found = mismatches(case["values"], planned["values"])
    assert not found, "\n".join(found) + "\n" + hint
    findings = policy_lint.lint(policy_lint.policies_in(f"{module}/{name}", planned["values"]))
    assert [str(f) for f in policy_lint.unjustified(findings, policy_lint.load_justifications())] == []
    for output, expected in case.get("outputs", {}).items():
        assert planned["outputs"].get(output) == expected, f"output {output}; {hint}"


def _keep_absent(case: dict, values: dict) -> dict:
    """Regeneration keeps the hand-written `__absent__` markers of the old inventory."""
    kept = {address: dict(attributes) for address, attributes in values.items()}
    for address, attributes in case.get("values", {}).items():
        if attributes == ABSENT:
            kept.setdefault(address, ABSENT)
        elif address in kept:
            kept[address].update({k: v for k, v in attributes.items() if v == ABSENT})
    return kept
