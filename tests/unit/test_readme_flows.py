"""The README flow runner fails on a broken block, naming its line, and misses no block."""

from __future__ import annotations

import os

import pytest

from tests import readme_flows
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

SEEDED = """# Title

<!-- run: demo -->
```sh
GREETING=hello
```

Text between blocks.

<!-- run: demo -->
```sh
test "$GREETING" = hello
cat parent.tfvars  # seeded: the file the old README named but never shipped
```
"""


def test_a_broken_block_fails_naming_its_line(tmp_path):
    blocks = readme_flows.extract(SEEDED, "demo")
    assert [b.line for b in blocks] == [5, 12]
    with pytest.raises(readme_flows.FlowFailed, match="README line 13 failed: cat parent.tfvars"):
        readme_flows.run(blocks, tmp_path, dict(os.environ))
    (tmp_path / "parent.tfvars").write_text("")  # the control: with the file there, it passes
    readme_flows.run(blocks, tmp_path, dict(os.environ))


def test_a_command_missing_from_the_machine_fails_too(tmp_path):
    blocks = readme_flows.extract(SEEDED.replace("cat parent.tfvars", "no-such-command-xacct"), "demo")
    with pytest.raises(readme_flows.FlowFailed, match="README line 13 failed: no-such-command-xacct"):
        readme_flows.run(blocks, tmp_path, dict(os.environ))


def test_blocks_share_one_shell(tmp_path):
    text = SEEDED.replace("cat parent.tfvars", 'echo "$GREETING"')
    assert readme_flows.run(readme_flows.extract(text, "demo"), tmp_path, dict(os.environ)).stdout == "hello\n"


def test_a_mark_without_a_shell_block_is_refused():
    with pytest.raises(ValueError, match="README line 1: `<!-- run: demo -->` must be followed by a ```sh fence"):
        readme_flows.extract("<!-- run: demo -->\nplain text\n", "demo")


def test_the_readme_marks_the_walkthrough():
    blocks = readme_flows.extract((PROJECT_ROOT / "README.md").read_text(), "walkthrough")
    assert len(blocks) >= 4 and "xacct-terraform" in "\n".join(b.code for b in blocks)
