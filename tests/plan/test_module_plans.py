"""Each module planned with each case's inputs; the plan must match the case's recorded inventory.

An inventory (tests/plan/cases/MODULE/CASE.yaml) holds the inputs, the number of each
resource type, and every planned attribute, with policy documents parsed so that
actions, resources, principals and conditions are compared field by field. After an
intended change, regenerate with:

    REGENERATE_INVENTORY=1 make test-plan

and review the diff of the YAML files.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.plan.fixture import load_cases, regenerate_requested, write_case

pytestmark = pytest.mark.plan

MODULES = ("parent", "child", "assume-grant")
CASES = [(module, name, case) for module in MODULES for name, case in load_cases(module)]


@pytest.mark.parametrize("module, name, case", CASES, ids=[f"{m}/{n}" for m, n, _ in CASES])
def test_plan_matches_inventory(module_fixture, module, name, case):
    planned = module_fixture(module, case["inputs"]).plan(case["inputs"])
    counts = dict(sorted(Counter(address.split(".")[-2] for address in planned["values"]).items()))
    if regenerate_requested():
        write_case(module, name, {**case, "counts": counts, "values": planned["values"],
                                  "outputs": case.get("outputs", {})})
        pytest.skip("inventory regenerated")
    hint = "if the change is intended: REGENERATE_INVENTORY=1 make test-plan"
    assert counts == case["counts"], hint
    assert planned["values"] == case["values"], hint
    for output, expected in case.get("outputs", {}).items():
        assert planned["outputs"].get(output) == expected, f"output {output}; {hint}"
