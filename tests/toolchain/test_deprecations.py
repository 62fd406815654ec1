"""The provider deprecation table: complete, listed in the README, and enforced.

Each entry cites the provider's upgrade guide or CHANGELOG (Terraform AWS Provider Version 5
and Version 6 Upgrade Guides; terraform-provider-aws CHANGELOG 5.68.0 and 5.72.0).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xacct.checks import deprecations
from xacct.checks.schema_conformance import load_schema
from xacct.checks.terraform_files import TfFile, tf_files
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.static

FIXTURE = Path(__file__).parent / "fixtures" / "deprecated_uses.tf"
README = PROJECT_ROOT / "README.md"
REQUIRED = {
    ("data/aws_region", "name"), ("resource/aws_iam_role", "inline_policy"),
    ("resource/aws_iam_role", "managed_policy_arns"), ("data/aws_iam_policy_document", "source_json"),
    ("data/aws_iam_policy_document", "override_json"), ("provider", "assume_role.duration_seconds"),
    ("provider", "shared_credentials_file"), ("provider", "s3_force_path_style"), ("provider", "skip_get_ec2_platforms"),
}


@pytest.fixture(scope="module")
def table() -> list[deprecations.Entry]:
    return deprecations.load_table()


def test_table_holds_the_changes_that_touch_what_we_use(table):
    assert REQUIRED <= {(e.where, e.name) for e in table}


def test_table_agrees_with_the_current_schema(table):
    """A deprecated name is still in hashicorp/aws 6.66.0; a removed provider argument is not."""
    schema = load_schema()
    for entry in table:
        node = schema["provider"] if entry.kind == "provider" else schema[entry.kind][entry.type_name]
        *blocks, leaf = entry.name.split(".")
        for block in blocks:
            node = node["blocks"][block]
        present = leaf in node["arguments"] or leaf in node["attributes"] or leaf in node["blocks"]
        if entry.status == "deprecated" or entry.kind != "provider":
            assert present, f"{entry.where} {entry.name} is not in the 6.66.0 schema: mark it removed"
        else:
            assert not present, f"{entry.where} {entry.name} is still in the 6.66.0 schema"


def readme_rows() -> list[str]:
    section = re.search(r"^### Provider deprecations\n(.*?)(?=^#)", README.read_text(), re.MULTILINE | re.DOTALL)
    assert section, "README.md has no `### Provider deprecations` section"
    return [line for line in section.group(1).splitlines() if line.startswith("| `")]


def test_readme_table_lists_every_entry(table):
    rows = readme_rows()
    assert len(rows) == len(table), "the README table and provider_deprecations.yaml differ in length"
    for entry, row in zip(table, rows):
        for value in (entry.where, entry.name, entry.status, entry.since, entry.reference):
            assert value in row, f"README row for {entry.where} {entry.name} lacks {value!r}: {row}"


def test_seeded_uses_are_each_reported_with_file_and_line(table):
    findings = deprecations.check([TfFile.read(FIXTURE)], table)
    located = [(int(f.split(":")[1]), f.split(" uses `")[1].split("`")[0]) for f in findings]
    assert located == [
        (4, "shared_credentials_file"), (5, "s3_force_path_style"), (6, "skip_get_ec2_platforms"),
        (10, "assume_role.duration_seconds"), (17, "source_json"), (18, "override_json"),
        (22, "name"), (24, "managed_policy_arns"), (26, "inline_policy"),
    ]
    assert findings[0] == (
        "tests/toolchain/fixtures/deprecated_uses.tf:4: provider \"aws\" uses `shared_credentials_file`, removed in "
        "hashicorp/aws 5.0.0: use shared_credentials_files "
        "(Terraform AWS Provider Version 5 Upgrade Guide: Provider Arguments)")
    assert "reference `data.aws_region.current.name` uses `name`, deprecated in hashicorp/aws 6.0.0" in findings[6]


def test_modules_examples_and_test_roots_use_no_listed_name(table):
    assert deprecations.check(tf_files(), table) == []
