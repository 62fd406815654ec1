"""The modules, examples and test roots use only names hashicorp/aws 6.66.0 has.

The schema comes from npm's `@cdktn/provider-aws` 25.7.0, generated from that provider
release ("Terraform CDK providers"; `make toolchain` checks its integrity and extracts it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xacct import toolchain
from xacct.checks import schema_conformance
from xacct.checks.terraform_files import TfFile, tf_files

pytestmark = pytest.mark.static

FIXTURE = Path(__file__).parent / "fixtures" / "schema_mistakes.tf"


@pytest.fixture(scope="module")
def schema() -> dict:
    try:
        return schema_conformance.load_schema()
    except toolchain.ToolchainError as error:
        pytest.fail(str(error), pytrace=False)


def test_schema_is_the_pinned_provider_release(schema):
    assert schema["provider_version"] == "6.66.0"
    assert len(schema["resource"]) > 1000 and len(schema["data"]) > 500
    role = schema["resource"]["aws_iam_role"]
    assert "assume_role_policy" in role["arguments"] and "arn" in role["attributes"]
    assert role["blocks"]["inline_policy"]["arguments"] == ["name", "policy"]


def test_modules_examples_and_test_roots_conform(schema):
    files = tf_files()
    assert FIXTURE not in [f.path for f in files]
    result = schema_conformance.check(files, schema)
    assert result.findings == []
    # Every file was read: resource types, arguments, blocks and references were all counted.
    assert result.checked > 100, result.checked


def test_seeded_mistakes_are_each_reported_with_file_and_line(schema):
    result = schema_conformance.check([TfFile.read(FIXTURE)], schema)
    where = "tests/toolchain/fixtures/schema_mistakes.tf"
    suffix = "(hashicorp/aws 6.66.0)"
    assert result.findings == [
        # removed in 5.0 (provider block argument and nested field)
        f'{where}:4: provider "aws": argument `shared_credentials_file` does not exist {suffix}',
        f'{where}:8: provider "aws".assume_role: argument `duration_seconds` does not exist {suffix}',
        # misspelt argument, read-only attribute set, wrong nested field
        f"{where}:14: aws_iam_role.this: argument `asume_role_policy` does not exist {suffix}",
        f"{where}:15: aws_iam_role.this: `unique_id` is read-only and cannot be set {suffix}",
        f"{where}:19: aws_iam_role.this.inline_policy: argument `polcy` does not exist {suffix}",
        f"{where}:34: aws_lambda_function.this.vpc_config: argument `subnets` does not exist {suffix}",
        f"{where}:39: resource type `aws_iam_rol` does not exist {suffix}",
        # attribute references, top level and nested
        f"{where}:47: reference `aws_iam_role.this.rn`: `rn` is not an attribute of resource aws_iam_role {suffix}",
        f"{where}:50: reference `aws_lambda_function.this.vpc_config[0].vpcid`: `vpcid` is not an attribute "
        f"of resource aws_lambda_function {suffix}",
    ]
