"""The Terraform files the static checks read, parsed once, with a way back to line numbers.

python-hcl2 gives the structure but not line numbers, so findings are located by searching
the file's text: a block by its header, a name by its first `name =` / `name {` line after
the enclosing block's start, a reference by the line it is written on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import hcl2

from xacct import hcl
from xacct.paths import PROJECT_ROOT

SCANNED = ("modules", "examples", "tests")
# Files with seeded mistakes that the checks' own tests feed them; never part of the project.
SEEDED = "tests/toolchain/fixtures"
META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"}
MARKERS = {"__is_block__", "__comments__", "__inline_comments__", "__start_line__", "__end_line__"}
OPTIONS = hcl2.SerializationOptions(with_comments=False)


def unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def without_comments(line: str) -> str:
    """The line with a trailing `#` or `//` comment removed (not inside a string)."""
    in_string = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            in_string = not in_string
        elif not in_string and (char == "#" or line.startswith("//", index)):
            return line[:index]
    return line


@dataclass
class TfFile:
    path: Path
    text: str = field(repr=False)

    @classmethod
    def read(cls, path: Path) -> "TfFile":
        return cls(path, path.read_text())

    @property
    def name(self) -> str:
        try:
            return self.path.relative_to(PROJECT_ROOT).as_posix()
        except ValueError:
            return self.path.as_posix()

    @cached_property
    def parsed(self) -> dict:
        return hcl.loads(self.text, OPTIONS)

    @cached_property
    def code_lines(self) -> list[str]:
        return [without_comments(line) for line in self.text.splitlines()]

    def block_line(self, keyword: str, *labels: str) -> int:
        header = r"\s+".join([re.escape(keyword), *(f'"{re.escape(label)}"' for label in labels)])
        for number, line in enumerate(self.code_lines, start=1):
            if re.match(rf"\s*{header}\s*\{{", line):
                return number
        return 1

    def name_line(self, name: str, after: int) -> int:
        pattern = re.compile(rf'^\s*(?:{re.escape(name)}\s*(?:=|\{{)|dynamic\s+"{re.escape(name)}"\s*\{{)')
        for number, line in enumerate(self.code_lines[after - 1:], start=after):
            if pattern.match(line):
                return number
        return after


def tf_files(roots: tuple[str, ...] = SCANNED, base: Path = PROJECT_ROOT) -> list[TfFile]:
    paths = sorted(p for r in roots if (base / r).exists() for p in (base / r).rglob("*.tf")
                   if ".terraform" not in p.parts and (base / SEEDED) not in p.parents)
    return [TfFile.read(p) for p in paths]


def body_items(body: dict):
    """(name, value, is_block) for each argument and nested block; `dynamic` blocks are unwrapped."""
    for key, value in body.items():
        if key in MARKERS:
            continue
        if key == "dynamic":
            for dynamic in value:
                for label, spec in dynamic.items():
                    if label in MARKERS:
                        continue
                    contents = spec.get("content", [{}])
                    yield unquote(label), contents, True
            continue
        is_block = isinstance(value, list) and bool(value) and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
        yield key, value, is_block


def blocks(tf: TfFile, kind: str):
    """(type, name, body) of every `resource`/`data` block, or ("aws", alias, body) for providers."""
    for entry in tf.parsed.get(kind, []):
        for type_key, named in entry.items():
            if type_key in MARKERS:
                continue
            if kind == "provider":
                yield unquote(type_key), None, named
                continue
            for name_key, body in named.items():
                if name_key not in MARKERS:
                    yield unquote(type_key), unquote(name_key), body
