"""The module READMEs: generated tables current, inputs and outputs documented, usage snippets valid.

The .tf files and the ```hcl snippets are read with python-hcl2 (see xacct/docs.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xacct import docs

pytestmark = pytest.mark.unit

MODULE_DIRS = docs.module_dirs()
MODULE_IDS = [d.name for d in MODULE_DIRS]
MODULES_BY_NAME = {d.name: d for d in MODULE_DIRS}
# Arguments of a module block that are Terraform's, not the module's inputs.
META_ARGUMENTS = {"source", "providers", "count", "depends_on", "for_each"}
HCL_FENCE = re.compile(r"^```hcl[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def test_the_three_modules_are_found():
    assert {"parent", "child", "assume-grant"} <= set(MODULE_IDS)


# --- (a) the generated blocks are current --------------------------------------------


def test_module_readmes_are_current():
    stale = docs.stale_readmes()
    assert not stale, "module READMEs are not current; run `make docs`:\n" + "\n".join(stale)


def test_check_cli_passes_on_the_repository(capsys):
    assert docs.main(["--check"]) == 0, capsys.readouterr().err


# --- (b) every input and output is documented -----------------------------------------


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=MODULE_IDS)
def test_every_variable_has_a_description_and_a_type(module_dir: Path):
    variables = docs.read_variables(module_dir)
    assert variables, f"{module_dir.name}: no variables parsed"
    undocumented = [v.name for v in variables if not (v.description or "").strip()]
    untyped = [v.name for v in variables if not (v.type or "").strip()]
    assert not undocumented, f"{module_dir.name}: variables without a description: {undocumented}"
    assert not untyped, f"{module_dir.name}: variables without a type: {untyped}"


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=MODULE_IDS)
def test_every_output_has_a_description(module_dir: Path):
    outputs = docs.read_outputs(module_dir)
    assert outputs, f"{module_dir.name}: no outputs parsed"
    undocumented = [o.name for o in outputs if not (o.description or "").strip()]
    assert not undocumented, f"{module_dir.name}: outputs without a description: {undocumented}"


# --- (c) the usage snippets use only declared inputs ----------------------------------


def _module_name_from_source(source: str) -> str:
    """`../../modules/child`, `git::…//modules/child?ref=v1` → `child`."""
    path = source.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1]


def _snippet_module_calls(readme: Path) -> list[tuple[str, str, dict]]:
    """(block label, module directory name, arguments) of every module block in the ```hcl fences."""
    calls = []
    for index, match in enumerate(HCL_FENCE.finditer(readme.read_text(encoding="utf-8")), start=1):
        try:
            parsed = docs.parse_hcl(match.group(1))
        except Exception as exc:  # lark's errors say where the snippet breaks
            pytest.fail(f"{readme.parent.name}/README.md: ```hcl block {index} does not parse: {exc}")
        for entry in parsed.get("module", []):
            for label, arguments in entry.items():
                assert "source" in arguments, f"{readme.parent.name}/README.md: module {label!r} has no source"
                calls.append((label, _module_name_from_source(arguments["source"]), arguments))
    return calls


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=MODULE_IDS)
def test_usage_snippets_name_only_declared_inputs(module_dir: Path):
    calls = _snippet_module_calls(module_dir / docs.README_NAME)
    assert any(name == module_dir.name for _, name, _ in calls), (
        f"{module_dir.name}/README.md has no ```hcl usage snippet calling the module"
    )
    for label, name, arguments in calls:
        assert name in MODULES_BY_NAME, f"{module_dir.name}/README.md: module {label!r} uses unknown source {name!r}"
        declared = {v.name for v in docs.read_variables(MODULES_BY_NAME[name])}
        unknown = sorted(set(arguments) - META_ARGUMENTS - declared)
        assert not unknown, (
            f"{module_dir.name}/README.md: module {label!r} sets {unknown}, which modules/{name} does not declare"
        )


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=MODULE_IDS)
def test_usage_snippets_set_every_required_input(module_dir: Path):
    for label, name, arguments in _snippet_module_calls(module_dir / docs.README_NAME):
        required = {v.name for v in docs.read_variables(MODULES_BY_NAME[name]) if v.required}
        missing = sorted(required - set(arguments))
        assert not missing, f"{module_dir.name}/README.md: module {label!r} leaves out required inputs {missing}"


# --- the generator itself, on a module made for the test -------------------------------

VARIABLES_TF = r'''
variable "name_prefix" {
  description = "Prefix; say \"hi\" with a back\\slash, a | pipe and *stars*."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[\\w+=,.@-]{0,32}$", var.name_prefix))
    error_message = "name_prefix may hold at most 32 of +=,.@_-."
  }
}

variable "ids" {
  description = "Required list."
  type        = list(string)
  sensitive   = true
}

variable "pattern" {
  description = "A regex default."
  type        = string
  default     = "^[\\w+=,.@-]{1,64}$"
}

variable "settings" {
  description = <<-EOT
    Two
    lines.
  EOT
  type = object({
    name = string
    size = optional(number, 3)
  })
  default = { name = "a", size = 1 }
}

variable "maybe" {
  description = "Optional even though null."
  type        = number
  default     = null
}
'''

OUTPUTS_TF = '''
output "arn" {
  description = "The ARN."
  value       = "x"
}

output "secret" {
  description = "Held back."
  value       = "y"
  sensitive   = true
}
'''


@pytest.fixture
def fake_modules(tmp_path: Path) -> Path:
    module = tmp_path / "modules" / "demo"
    module.mkdir(parents=True)
    (module / "variables.tf").write_text(VARIABLES_TF)
    (module / "outputs.tf").write_text(OUTPUTS_TF)
    (module / "README.md").write_text(
        f"# demo\n\nProse stays.\n\n{docs.BEGIN_MARKER}\nold\n{docs.END_MARKER}\n\nTrailer stays.\n"
    )
    return tmp_path / "modules"


def test_variables_are_read_as_terraform_reads_them(fake_modules: Path):
    variables = {v.name: v for v in docs.read_variables(fake_modules / "demo")}
    assert list(variables) == ["name_prefix", "ids", "pattern", "settings", "maybe"]  # declared order
    assert variables["name_prefix"].description == 'Prefix; say "hi" with a back\\slash, a | pipe and *stars*.'
    assert variables["pattern"].default == r"^[\w+=,.@-]{1,64}$"
    assert variables["ids"].type == "list(string)"
    assert variables["ids"].required and variables["ids"].sensitive
    assert not variables["maybe"].required and variables["maybe"].default is None
    assert variables["settings"].default == {"name": "a", "size": 1}
    assert variables["settings"].type.startswith("object(")
    assert variables["settings"].description.split() == ["Two", "lines."]


def test_rendered_tables(fake_modules: Path):
    block = docs.render_block(docs.read_module(fake_modules / "demo"))
    lines = block.splitlines()
    assert lines[0] == docs.BEGIN_MARKER and lines[-1] == docs.END_MARKER
    assert "| `ids` (sensitive) | Required list. | `list(string)` | n/a | yes |" in lines
    assert '| `pattern` | A regex default. | `string` | `"^[\\\\w+=,.@-]{1,64}$"` | no |' in lines
    assert "| `maybe` | Optional even though null. | `number` | `null` | no |" in lines
    assert "| `secret` (sensitive) | Held back. |" in lines
    name_prefix_row = next(line for line in lines if line.startswith("| `name_prefix`"))
    assert r"a \| pipe and \*stars\*" in name_prefix_row
    assert "| `settings` | Two<br>lines. |" in block
    # Every table row has as many cells as its header.
    for line in lines:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) in (2, 5), line


def test_check_then_write_then_check(fake_modules: Path, capsys):
    readme = fake_modules / "demo" / "README.md"
    stale = docs.stale_readmes(fake_modules)
    assert len(stale) == 1 and "README.md" in stale[0] and "run `make docs`" in stale[0]
    assert docs.main(["--check", "--modules-dir", str(fake_modules)]) == 1
    assert "run `make docs`" in capsys.readouterr().err

    assert docs.write_readmes(fake_modules) == [readme]
    text = readme.read_text()
    assert text.startswith("# demo\n\nProse stays.\n\n") and text.endswith("\n\nTrailer stays.\n")
    assert "old" not in text
    assert docs.stale_readmes(fake_modules) == []
    assert docs.write_readmes(fake_modules) == []  # idempotent

    # A change to the .tf files makes the README stale again.
    variables_tf = fake_modules / "demo" / "variables.tf"
    variables_tf.write_text(variables_tf.read_text().replace("Required list.", "Required IDs."))
    assert docs.stale_readmes(fake_modules)


def test_missing_readme_and_missing_markers(fake_modules: Path):
    readme = fake_modules / "demo" / "README.md"
    readme.write_text("# demo\n\nNo block yet.\n")
    assert "run `make docs`" in docs.stale_readmes(fake_modules)[0]
    docs.write_readmes(fake_modules)
    assert readme.read_text().startswith("# demo\n\nNo block yet.\n\n" + docs.BEGIN_MARKER)
    assert docs.stale_readmes(fake_modules) == []

    readme.unlink()
    assert "missing" in docs.stale_readmes(fake_modules)[0]


def test_broken_markers_are_reported(fake_modules: Path):
    readme = fake_modules / "demo" / "README.md"
    readme.write_text(f"{docs.END_MARKER}\n{docs.BEGIN_MARKER}\n")
    assert "exactly one" in docs.stale_readmes(fake_modules)[0]
    with pytest.raises(docs.DocsError):
        docs.write_readmes(fake_modules)
