"""Schema facts of the current hashicorp/aws provider, read from its generated bindings.

The npm package `@cdktn/provider-aws` is generated from the provider's schema: one
`lib/<name>/index.js` per resource or data source, whose main class states the Terraform
type (`static tfResourceType`), lists every settable argument and nested block in
`synthesizeAttributes()`, and reads every attribute with `getStringAttribute('name')` and
friends; each nested block has a `<Name>ToTerraform` function listing its own fields and an
`<Name>OutputReference` class reading its computed ones. `extract()` turns the package into
a compact JSON document:

    {"provider_version": "6.66.0", "provider": {...}, "resource": {type: {...}}, "data": {type: {...}}}

where each `{...}` is {"arguments": [...], "attributes": [...], "blocks": {name: {...}}}
(`attributes` holds the read-only names; arguments can be read too).
"""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

CLASS = re.compile(r"^class (\w+) extends ([\w.]+) \{\n(.*?)^\}\n", re.MULTILINE | re.DOTALL)
TO_TERRAFORM = re.compile(r"^function (\w+)ToTerraform\(struct\) \{\n(.*?)^\}\n", re.MULTILINE | re.DOTALL)
RETURNED = re.compile(r"return \{\n(.*?)\n\s*\};", re.DOTALL)
SYNTHESIZED = re.compile(r"synthesizeAttributes\(\) \{\n\s*return \{\n(.*?)\n\s*\};", re.DOTALL)
ENTRY = re.compile(r"^\s+([a-z0-9_]+): (.+?),?$", re.MULTILINE)
NESTED = re.compile(r"(?<![.\w])([a-z]\w*)ToTerraform\b")
READ = re.compile(r"this\.(?:get\w*Attribute|interpolationForAttribute)\('([a-z0-9_]+)'\)")
COMPUTED_OBJECT = re.compile(r"new (\w+?)(?:List|OutputReference|Map)\(this, \"([a-z0-9_]+)\"")
KINDS = {"cdktn.TerraformProvider": "provider", "cdktn.TerraformDataSource": "data", "cdktn.TerraformResource": "resource"}
RESOURCE_TYPE = re.compile(r'static tfResourceType = "([a-z0-9_]+)";')
PROVIDER_VERSION = re.compile(r"providerVersion: '([0-9.]+)'")


def _capitalised(name: str) -> str:
    return name[:1].upper() + name[1:]


def _object(entries: str, class_body: str, functions: dict[str, str], classes: dict[str, str]) -> dict:
    arguments, blocks = set(), {}
    for key, expression in ENTRY.findall(entries):
        nested = NESTED.search(expression)
        if nested and nested.group(1) in functions:
            name = nested.group(1)
            blocks[key] = _object(_returned(functions[name]), classes.get(f"{_capitalised(name)}OutputReference", ""),
                                  functions, classes)
        else:
            arguments.add(key)
    read = set(READ.findall(class_body))
    for stem, key in COMPUTED_OBJECT.findall(class_body):
        if key not in blocks and f"{stem}OutputReference" in classes:
            blocks[key] = _object("", classes[f"{stem}OutputReference"], functions, classes)
        else:
            read.add(key)
    return {"arguments": sorted(arguments), "attributes": sorted(read - arguments - set(blocks)),
            "blocks": dict(sorted(blocks.items()))}


def _returned(function_body: str) -> str:
    match = RETURNED.search(function_body)
    return match.group(1) if match else ""


def parse_module(source: str) -> tuple[str, str, dict] | None:
    """(type, kind, schema) of one generated `index.js`; None for files that declare no type."""
    found = CLASS.findall(source)
    classes = {name: body for name, _, body in found}
    functions = {name: body for name, body in TO_TERRAFORM.findall(source)}
    for _, base, body in found:
        declared = RESOURCE_TYPE.search(body)
        if not declared or base not in KINDS:
            continue
        synthesized = SYNTHESIZED.search(body)
        return declared.group(1), KINDS[base], _object(synthesized.group(1) if synthesized else "", body, functions, classes)
    return None


def extract(tarball: Path) -> dict:
    """Read every `lib/*/index.js` of the package tarball (in memory; nothing is unpacked)."""
    schema: dict = {"provider_version": None, "provider": None, "resource": {}, "data": {}}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            parts = member.name.split("/")
            if not (member.isfile() and len(parts) == 4 and parts[1] == "lib" and parts[3] == "index.js"):
                continue
            source = archive.extractfile(member).read().decode()
            parsed = parse_module(source)
            if parsed is None:
                continue
            type_name, kind, body = parsed
            if kind == "provider":
                schema["provider"] = body
                schema["provider_version"] = PROVIDER_VERSION.search(source).group(1)
            else:
                schema[kind][type_name] = body
    schema["resource"] = dict(sorted(schema["resource"].items()))
    schema["data"] = dict(sorted(schema["data"].items()))
    return schema


def load(path: Path) -> dict:
    return json.loads(path.read_text())
