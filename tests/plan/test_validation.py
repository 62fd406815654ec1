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
PLACEHOLDERS = {"<<1225 characters>>": "x" * 1225, "<<65 characters>>": "r" * 65}


def valid_inputs(module: str) -> dict:
    """The inputs of the module's `minimal` case (or its only case): the fewest a valid plan needs."""
    cases = dict(load_cases(module))
    return dict(cases.get("minimal", next(iter(cases.values())))["inputs"])


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


def _readme_rows() -> set[tuple[str, str, str]]:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text.split("## Input validation", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([\w-]+)` \| `(\w+)` \| (.+?) \|$", section, flags=re.MULTILINE)
    return set(rows)


def test_readme_validation_table_matches_the_modules_and_the_cases():
    root = Path(__file__).resolve().parents[2] / "modules"
    rows = _readme_rows()
    for module in RULES:
        messages = set(re.findall(r'error_message\s*=\s*"([^"]+)"', (root / module / "variables.tf").read_text()))
        documented = {message for m, _, message in rows if m == module}
        assert documented == messages, f"README validation table out of step for {module}: {documented ^ messages}"
    cases = {(module, rule["variable"]) for module, rule in CASES}
    assert {(m, v) for m, v, _ in rows} <= cases, "a README row has no failing-plan case"
