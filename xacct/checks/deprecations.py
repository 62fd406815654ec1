"""No module, example or test root uses a hashicorp/aws name the deprecation table lists.

The table (provider_deprecations.yaml beside this file) holds the deprecations and removals
that touch what this project uses, each with its upgrade-guide or CHANGELOG reference. A use
is an argument or nested field set in a block of that type (`dynamic` blocks included) or an
attribute reference such as `data.aws_region.current.name`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from xacct.checks.schema_conformance import REFERENCE
from xacct.checks.terraform_files import TfFile, blocks, body_items, tf_files

TABLE = Path(__file__).with_name("provider_deprecations.yaml")
FIELDS = ("where", "name", "status", "since", "instead", "reference")


@dataclass(frozen=True)
class Entry:
    where: str  # resource/<type>, data/<type> or provider
    name: str  # argument or attribute; nested as block.field
    status: str
    since: str
    instead: str
    reference: str

    @property
    def kind(self) -> str:
        return self.where.split("/")[0]

    @property
    def type_name(self) -> str:
        return self.where.split("/", 1)[1] if "/" in self.where else "aws"

    def message(self, used: str) -> str:
        return (f"{used} uses `{self.name}`, {self.status} in hashicorp/aws {self.since}: use {self.instead} "
                f"({self.reference})")


def load_table(path: Path = TABLE) -> list[Entry]:
    rows = yaml.safe_load(path.read_text())
    for row in rows:
        missing = [f for f in FIELDS if not str(row.get(f) or "").strip()]
        if missing:
            raise ValueError(f"{path.name}: entry {row.get('where')} {row.get('name')} lacks {', '.join(missing)}")
        if row["status"] not in ("deprecated", "removed"):
            raise ValueError(f"{path.name}: status of {row['where']} {row['name']} must be deprecated or removed")
    return [Entry(**{f: str(row[f]) for f in FIELDS}) for row in rows]


def _set_names(body: dict, prefix: str = ""):
    """Dotted names of every argument and nested field set in a block body."""
    for name, value, is_block in body_items(body):
        yield f"{prefix}{name}", name
        if is_block:
            for nested in value:
                yield from _set_names(nested, f"{prefix}{name}.")


def uses(tf: TfFile, table: list[Entry]) -> list[tuple[int, str]]:
    found = []
    for entry in table:
        if entry.kind == "provider":
            for provider, _, body in blocks(tf, "provider"):
                if provider == "aws":
                    start = tf.block_line("provider", "aws")
                    found += [(tf.name_line(leaf, start), entry.message('provider "aws"'))
                              for dotted, leaf in _set_names(body) if dotted == entry.name]
            continue
        for type_name, name, body in blocks(tf, entry.kind):
            if type_name == entry.type_name:
                start = tf.block_line(entry.kind, type_name, name)
                label = f"{'data.' if entry.kind == 'data' else ''}{type_name}.{name}"
                found += [(tf.name_line(leaf, start), entry.message(label))
                          for dotted, leaf in _set_names(body) if dotted == entry.name]
        for number, line in enumerate(tf.code_lines, start=1):
            for match in REFERENCE.finditer(line):
                data, type_name, _, path = match.groups()
                kind = "data" if data else "resource"
                names = [part.split("[")[0] for part in path.split(".") if part]
                wanted = entry.name.split(".")
                if kind == entry.kind and type_name == entry.type_name and names[:len(wanted)] == wanted:
                    found.append((number, entry.message(f"reference `{match.group(0)}`")))
    return sorted(set(found))


def check(files: list[TfFile], table: list[Entry]) -> list[str]:
    return [f"{tf.name}:{line}: {message}" for tf in files for line, message in uses(tf, table)]


def main() -> int:
    findings = check(tf_files(), load_table())
    print("\n".join(findings) or "deprecations: no module, example or test root uses a listed name")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
