"""A generated root that calls one module with a case's inputs, planned against the emulator."""

from __future__ import annotations

import json
import os
from pathlib import Path

import tftest
import yaml

from xacct.staging import StagedRoot

CASES_DIR = Path(__file__).parent / "cases"
MODULE_ACCOUNT = {"parent": "parent", "child": "child", "assume-grant": "child"}
# Derived from the build or the run, not from the inputs: recorded nowhere.
VOLATILE = {"source_code_hash", "filename"}


class ModuleFixture:
    def __init__(self, emulator, module: str, inputs: dict):
        """`inputs` must be valid: `terraform init` checks required arguments."""
        self.module = module
        self.root = StagedRoot(relative_dir="fixture", files={
            "providers.tf.json": emulator.provider_override({"": MODULE_ACCOUNT[module]}),
        })
        self.write_inputs(inputs)
        self.root.init()

    def write_inputs(self, inputs: dict) -> None:
        config = {"module": {"under_test": {"source": f"../modules/{self.module}", **inputs}},
                  "output": {"all": {"value": "${module.under_test}", "sensitive": True}}}
        (self.root.dir / "main.tf.json").write_text(json.dumps(config, indent=2))

    def plan(self, inputs: dict) -> dict:
        """Plan and return {"values": {address: attributes}, "outputs": {...}}."""
        self.write_inputs(inputs)
        self.root.tf.execute_command("plan", "-input=false", "-no-color", "-out=case.plan")
        shown = json.loads(self.root.tf.execute_command("show", "-json", "case.plan").out)
        module = next((m for m in shown["planned_values"]["root_module"].get("child_modules", [])
                       if m["address"] == "module.under_test"), {"resources": [], "child_modules": []})
        values = {}
        for resource in _resources(module):
            address = resource["address"].removeprefix("module.under_test.")
            values[address] = _clean(resource["values"])
        outputs = shown["planned_values"].get("outputs", {}).get("all", {}).get("value", {})
        return {"values": values, "outputs": {k: v for k, v in outputs.items() if v is not None}}

    def plan_error(self, inputs: dict) -> str:
        """The output of a plan that must fail; an empty string if it succeeded."""
        self.write_inputs(inputs)
        try:
            self.root.tf.execute_command("plan", "-input=false", "-no-color")
        except tftest.TerraformTestError as failure:
            return str(failure.args[0])
        return ""

    def close(self) -> None:
        self.root.close()


def _resources(module: dict):
    yield from (r for r in module.get("resources", []) if r["mode"] == "managed")
    for child in module.get("child_modules", []):
        yield from _resources(child)


def _clean(values: dict) -> dict:
    """Drop unset and volatile attributes; parse JSON policy documents for field-by-field comparison."""
    cleaned = {}
    for key, value in values.items():
        if key in VOLATILE or value in (None, [], {}):
            continue
        if isinstance(value, str) and value.startswith("{") and '"Statement"' in value:
            value = json.loads(value)
        cleaned[key] = value
    return cleaned


def load_cases(module: str) -> list[tuple[str, dict]]:
    return [(p.stem, yaml.safe_load(p.read_text())) for p in sorted((CASES_DIR / module).glob("*.yaml"))]


def regenerate_requested() -> bool:
    return os.environ.get("REGENERATE_INVENTORY") == "1"


def write_case(module: str, name: str, case: dict) -> None:
    (CASES_DIR / module / f"{name}.yaml").write_text(yaml.safe_dump(case, sort_keys=False, width=120))
