"""Every input validation rule fails the plan with a message naming the variable and the rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.plan.fixture import load_cases

pytestmark = pytest.mark.plan

RULES = yaml.safe_load((Path(__file__).parent / "validation_cases.yaml").read_text())
CASES = [(module, rule) for module, rules in RULES.items() for rule in rules]
PLACEHOLDERS = {"<<1225 characters>>": "x" * 1225}


def valid_inputs(module: str) -> dict:
    return dict(load_cases(module)[0][1]["inputs"])


def _expand(value):
    if isinstance(value, list):
        return [PLACEHOLDERS.get(v, v) if isinstance(v, str) else v for v in value]
    return PLACEHOLDERS.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("module, rule", CASES, ids=[f"{m}:{r['variable']}:{i}" for i, (m, r) in enumerate(CASES)])
def test_invalid_input_fails_the_plan(module_fixture, module, rule):
    inputs = {**valid_inputs(module), **{k: _expand(v) for k, v in rule["set"].items()}}
    output = module_fixture(module, valid_inputs(module)).plan_error(inputs)
    flat = re.sub(r"\s+", " ", output)
    assert "Invalid value for variable" in flat, output[-2000:]
    assert rule["variable"] in flat, output[-2000:]
    assert rule["message"] in flat, output[-2000:]


def test_every_validation_rule_has_a_case():
    """Each `validation` block of each module is exercised by at least one case above."""
    root = Path(__file__).resolve().parents[2] / "modules"
    for module, rules in RULES.items():
        text = (root / module / "variables.tf").read_text()
        messages = re.findall(r'error_message\s*=\s*"([^"]+)"', text)
        covered = [m for m in messages if any(r["message"] in re.sub(r"\s+", " ", m) for r in rules)]
        assert len(covered) == len(messages), f"{module}: rules without a failing case: {set(messages) - set(covered)}"
