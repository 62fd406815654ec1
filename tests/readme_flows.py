"""Run the README's marked shell blocks, in order, as one bash script, so the README cannot drift.

A block is marked by an HTML comment on the line before its fence, naming the flow:

    <!-- run: walkthrough -->
    ```sh
    ...
    ```

Blocks of one flow share a shell (variables, `cd`, background jobs); the first failing
command stops the run and is reported with its README line. Background jobs
a flow starts (the emulator) are stopped when the script ends, whatever happened.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MARK = re.compile(r"^<!-- run: ([\w-]+) -->\s*$")
FENCE_OPEN = re.compile(r"^```(sh|bash)\s*$")


class FlowFailed(AssertionError):
    """A README block failed; the message names its line and the command."""


@dataclass(frozen=True)
class Block:
    line: int  # the README line of the block's first command
    code: str


def extract(text: str, flow: str) -> list[Block]:
    """The blocks marked for `flow`, in the order they appear. A mark not followed by a
    shell fence is an error, so a mark cannot silently stop running anything."""
    lines = text.splitlines()
    blocks = []
    for number, line in enumerate(lines):
        mark = MARK.match(line)
        if not mark or mark.group(1) != flow:
            continue
        if number + 1 >= len(lines) or not FENCE_OPEN.match(lines[number + 1]):
            raise ValueError(f"README line {number + 1}: `<!-- run: {flow} -->` must be followed by a ```sh fence")
        end = next((i for i in range(number + 2, len(lines)) if lines[i].startswith("```")), None)
        if end is None:
            raise ValueError(f"README line {number + 2}: the marked block is never closed")
        blocks.append(Block(line=number + 3, code="\n".join(lines[number + 2:end])))
    return blocks


PROLOGUE = [
    "set -euo pipefail",
    "trap 'jobs -p | xargs -r kill 2>/dev/null || true' EXIT",
    'trap \'echo "script line $LINENO failed: $BASH_COMMAND" >&2\' ERR',
]


def script(blocks: list[Block]) -> tuple[str, dict[int, int]]:
    """The bash script, and which README line each of its lines comes from."""
    lines, origin = list(PROLOGUE), {}
    for block in blocks:
        for offset, code in enumerate(block.code.splitlines()):
            lines.append(code)
            origin[len(lines)] = block.line + offset
    return "\n".join(lines) + "\n", origin


def run(blocks: list[Block], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    if not blocks:
        raise FlowFailed("no README blocks marked for this flow")
    text, origin = script(blocks)
    result = subprocess.run(["bash", "-c", text], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        failed = re.findall(r"script line (\d+) failed: (.*)", result.stderr)
        where = (f"README line {origin.get(int(failed[-1][0]), '?')} failed: {failed[-1][1]}" if failed
                 else "the flow failed")
        raise FlowFailed(f"{where} (exit {result.returncode})\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result
