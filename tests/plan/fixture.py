"""A generated root that calls one module with a case's inputs, planned against the emulator."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import tftest
import yaml

from tests.plan.inventory import KNOWN_AFTER_APPLY
from xacct.staging import StagedRoot
from xacct.paths import PROJECT_ROOT

CASES_DIR = Path(__file__).parent / "cases"
MODULE_ACCOUNT = {"parent": "parent", "child": "child", "assume-grant": "child"}
# Derived from the build or the run, not from the inputs: recorded nowhere.
VOLATILE = {"source_code_hash", "filename"}
# `dynamic` blocks are missing from the configuration Terraform shows, so they are read
# from the modules' sources to know which planned blocks a module sets.
DYNAMIC_BLOCKS = frozenset(re.findall(r'dynamic\s+"(\w+)"', "".join(
    p.read_text() for p in (PROJECT_ROOT / "modules").glob("*/*.tf"))))


class ModuleFixture:
    def __init__(self, target, module: str, inputs: dict):
        """`inputs` must be valid: `terraform init` checks required arguments."""
        self.module = module
        self.plan_output = ""
        self.root = StagedRoot(relative_dir="fixture", files={
            "providers.tf.json": target.provider_override({"": MODULE_ACCOUNT[module]}),
        })
        self.write_inputs(inputs)
        self.root.init()

    def write_inputs(self, inputs: dict) -> None:
        config = {"module": {"under_test": {"source": f"../modules/{self.module}", **inputs}},
                  "output": {"all": {"value": "${module.under_test}", "sensitive": True}}}
        (self.root.dir / "main.tf.json").write_text(json.dumps(config, indent=2))

    def plan(self, inputs: dict) -> dict:
        """Plan and return {"values": {address: attributes}, "configured": {address: names}, "outputs": {...}}.

        Attributes unknown until apply hold KNOWN_AFTER_APPLY; "configured" names the
        attributes the module sets (the rest are provider defaults, not recorded).
        """
        self.write_inputs(inputs)
        result = self.root.tf.execute_command("plan", "-input=false", "-no-color", "-out=case.plan")
        self.plan_output = result.out + result.err  # warnings included
        shown = json.loads(self.root.tf.execute_command("show", "-json", "case.plan").out)
        module = next((m for m in shown["planned_values"]["root_module"].get("child_modules", [])
                       if m["address"] == "module.under_test"), {"resources": [], "child_modules": []})
        unknown = {c["address"]: c["change"].get("after_unknown", {}) for c in shown.get("resource_changes", [])}
        configured = _configured(shown["configuration"]["root_module"]["module_calls"]["under_test"]["module"])
        values, keys = {}, {}
        for resource in _resources(module):
            address = resource["address"].removeprefix("module.under_test.")
            attributes = _clean(resource["values"])
            for name, is_unknown in unknown.get(resource["address"], {}).items():
                if is_unknown is True:
                    attributes[name] = KNOWN_AFTER_APPLY
            values[address] = attributes
            keys[address] = configured.get(re.sub(r"\[[^]]*\]", "", address), frozenset()) | DYNAMIC_BLOCKS
        outputs = shown["planned_values"].get("outputs", {}).get("all", {}).get("value", {})
        return {"values": values, "configured": keys,
                "outputs": {k: v for k, v in outputs.items() if v is not None}}

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


def _configured(module: dict, prefix: str = "") -> dict[str, frozenset]:
    """Config address (no index) -> names of the arguments and blocks the module sets."""
    found = {f"{prefix}{r['address']}": frozenset(r.get("expressions", {})) for r in module.get("resources", [])}
    for name, call in module.get("module_calls", {}).items():
        found.update(_configured(call.get("module", {}), f"{prefix}module.{name}."))
    return found


def recordable(planned: dict) -> dict:
    """The planned values an inventory records: what the module sets, without provider defaults."""
    return {address: {k: v for k, v in attributes.items() if k in planned["configured"][address]}
            for address, attributes in planned["values"].items()}


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
