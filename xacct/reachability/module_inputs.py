"""The inputs an applied root passes to a module call, as Terraform evaluated them.

The reachability intent is computed from the parent module's inputs, so it must read what
the example really passes, not a copy of it: the module block's arguments are read from the
root's .tf files with python-hcl2, turned back into Terraform expressions and evaluated by
`terraform console` in the applied root; arguments the block leaves out take the module's
defaults from its variables.tf.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import hcl2

from xacct import hcl
from xacct.docs import read_variables

# Source form: string literals keep their quotes (templates and escapes as written),
# other expressions come back wrapped in "${...}".
_SOURCE_FORM = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=False)
_META_ARGUMENTS = {"source", "version", "providers", "count", "for_each", "depends_on"}


class ModuleInputsError(RuntimeError):
    """The module call cannot be read or evaluated."""


def to_expression(value) -> str:
    """python-hcl2's source form of an argument, back to Terraform expression text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if value.startswith('"'):
            return value  # a quoted template, escapes as written
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        raise ModuleInputsError(f"cannot read the argument value {value!r} back as an expression")
    if isinstance(value, list):
        return "[" + ", ".join(to_expression(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {to_expression(v)}" for key, v in value.items()) + "}"
    raise ModuleInputsError(f"cannot read the argument value {value!r} back as an expression")


def module_call(root_dir: Path, name: str) -> dict:
    """The `module "<name>"` block of the root in `root_dir` (its arguments in source form)."""
    for tf in sorted(root_dir.glob("*.tf")):
        for block in hcl.loads(tf.read_text(), _SOURCE_FORM).get("module", []):
            for label, body in block.items():
                if label.strip('"') == name:
                    return body
    raise ModuleInputsError(f"no module \"{name}\" in {root_dir.name}")


def evaluate(root_dir: Path, expressions: dict[str, str], env: dict[str, str] | None = None) -> dict:
    """Evaluate Terraform expressions in an applied root (sensitive values included)."""
    if not expressions:
        return {}
    obj = "{" + ", ".join(f"{key} = {text}" for key, text in expressions.items()) + "}"
    result = subprocess.run(["terraform", "console"], cwd=root_dir, input=f"nonsensitive(jsonencode({obj}))\n",
                            capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)
    if result.returncode != 0:
        raise ModuleInputsError(f"terraform console failed in {root_dir.name}: {result.stderr.strip() or result.stdout.strip()}")
    return json.loads(json.loads(result.stdout.strip()))


def module_inputs(root_dir: Path, calls: dict[str, tuple[Path, set[str] | None]],
                  env: dict[str, str] | None = None) -> dict[str, dict]:
    """The inputs of each module call named in `calls` (name -> (module folder, the inputs
    wanted or None for all)): the root's arguments evaluated, the others the module's defaults.

    All are evaluated in one `terraform console` run. Arguments that use `each.` or `count.`
    differ per instance and cannot be evaluated once; they are refused rather than guessed.
    """
    expressions, variables = {}, {}
    for name, (module_dir, only) in calls.items():
        arguments = {key: to_expression(value) for key, value in module_call(root_dir, name).items()
                     if key not in _META_ARGUMENTS and (only is None or key in only)}
        per_instance = sorted(key for key, text in arguments.items() if "each." in text or "count." in text)
        if per_instance:
            raise ModuleInputsError(f"module \"{name}\": {', '.join(per_instance)} differ per instance; read them per instance")
        expressions[name] = "{" + ", ".join(f"{key} = {text}" for key, text in arguments.items()) + "}"
        variables[name] = [v for v in read_variables(module_dir) if only is None or v.name in only]
    values = evaluate(root_dir, expressions, env)
    inputs = {}
    for name, wanted in variables.items():
        missing = sorted({v.name for v in wanted if not v.has_default} - values[name].keys())
        if missing:
            raise ModuleInputsError(f"module \"{name}\" leaves required inputs unset: {', '.join(missing)}")
        inputs[name] = {**{v.name: v.default for v in wanted if v.has_default}, **values[name]}
    return inputs


def arguments_set(root_dir: Path, name: str) -> set[str]:
    """The inputs the root sets on the module call (meta-arguments left out)."""
    return set(module_call(root_dir, name)) - _META_ARGUMENTS
