"""Every provider name the modules, examples and test roots use exists in the current provider.

Checked against hashicorp/aws 6.66.0's schema (`make toolchain` extracts it from the
generated bindings, see xacct/provider_schema.py): each resource and data source type,
each argument and nested block set in it (recursively, `dynamic` blocks included), each
argument of `provider "aws"` blocks, and each attribute reference such as
`aws_iam_role.this[0].arn` or `data.aws_region.current.region`, down through nested blocks.
The offline suite applies everything on 3.39.0; this is what shows the same files are
valid on the provider users run.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from xacct import provider_schema, toolchain
from xacct.checks.terraform_files import META_ARGUMENTS, TfFile, blocks, body_items, tf_files

REFERENCE = re.compile(
    r"(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?((?:\.[A-Za-z_]\w*(?:\[[^\]]*\])?)*)")
KINDS = {"resource": "resource", "data": "data source"}


@dataclass
class Result:
    findings: list[str]
    checked: int  # names checked: types, arguments, nested blocks and fields, attribute references


class Checker:
    def __init__(self, schema: dict):
        self.schema = schema
        self.version = schema["provider_version"]
        self.findings: list[str] = []
        self.checked = 0

    def report(self, tf: TfFile, line: int, message: str) -> None:
        self.findings.append(f"{tf.name}:{line}: {message} (hashicorp/aws {self.version})")

    def check_body(self, tf: TfFile, where: str, body: dict, schema: dict, start: int, top: bool) -> None:
        settable = set(schema["arguments"]) | set(schema["blocks"])
        for name, value, is_block in body_items(body):
            if top and name in META_ARGUMENTS:
                continue
            self.checked += 1
            line = tf.name_line(name, start)
            if name in schema["attributes"]:
                self.report(tf, line, f"{where}: `{name}` is read-only and cannot be set")
            elif name not in settable:
                kind = "nested block" if is_block else "argument"
                self.report(tf, line, f"{where}: {kind} `{name}` does not exist")
            elif name in schema["blocks"] and is_block:
                for nested in value:
                    self.check_body(tf, f"{where}.{name}", nested, schema["blocks"][name], line, top=False)

    def check_blocks(self, tf: TfFile) -> None:
        for kind, label in KINDS.items():
            for type_name, name, body in blocks(tf, kind):
                if not type_name.startswith("aws_"):
                    continue
                self.checked += 1
                start = tf.block_line(kind, type_name, name)
                schema = self.schema[kind].get(type_name)
                if schema is None:
                    self.report(tf, start, f"{label} type `{type_name}` does not exist")
                    continue
                prefix = "data." if kind == "data" else ""
                self.check_body(tf, f"{prefix}{type_name}.{name}", body, schema, start, top=True)
        for provider, _, body in blocks(tf, "provider"):
            if provider == "aws":
                self.check_body(tf, 'provider "aws"', body, self.schema["provider"], tf.block_line("provider", "aws"), top=True)

    def check_references(self, tf: TfFile) -> None:
        for number, line in enumerate(tf.code_lines, start=1):
            for match in REFERENCE.finditer(line):
                data, type_name, _name, path = match.groups()
                kind = "data" if data else "resource"
                self.checked += 1
                schema = self.schema[kind].get(type_name)
                if schema is None:
                    self.report(tf, number, f"reference `{match.group(0)}`: {KINDS[kind]} type `{type_name}` does not exist")
                    continue
                names = [re.sub(r"\[.*", "", part) for part in path.split(".") if part]
                for name in names:
                    if name in schema["blocks"]:
                        schema = schema["blocks"][name]
                        continue
                    if name not in schema["arguments"] and name not in schema["attributes"]:
                        self.report(tf, number, f"reference `{match.group(0)}`: `{name}` is not an attribute of "
                                                f"{KINDS[kind]} {type_name}")
                    break  # a plain value: whatever follows indexes into it


def check(files: list[TfFile], schema: dict) -> Result:
    checker = Checker(schema)
    for tf in files:
        checker.check_blocks(tf)
        checker.check_references(tf)
    ordered = sorted(checker.findings, key=lambda f: (f.split(":")[0], int(f.split(":")[1])))
    return Result(ordered, checker.checked)


def load_schema() -> dict:
    if not toolchain.schema_is_current():
        raise toolchain.ToolchainError("the provider schema is missing or stale: run `make toolchain`")
    return provider_schema.load(toolchain.SCHEMA_JSON)


def main() -> int:
    schema = load_schema()
    result = check(tf_files(), schema)
    print("\n".join(result.findings) or
          f"schema conformance: {result.checked} names checked against hashicorp/aws {schema['provider_version']}, all found")
    return 1 if result.findings else 0


if __name__ == "__main__":
    sys.exit(main())
