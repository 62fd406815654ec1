"""The one writer of provider overrides: JSON from one service list, for both targets."""

from __future__ import annotations

import json

import pytest

from xacct import provider_override
from xacct.provider_override import SERVICES, ProviderSettings

pytestmark = pytest.mark.unit

EMULATED = ProviderSettings(alias="parent", region="us-east-1", access_key="AKIA1", secret_key="s3cr\"et",
                            endpoint_url="http://127.0.0.1:4566")


def test_every_service_the_provider_calls_is_pointed_at_the_emulator():
    block = provider_override.document([EMULATED])["provider"]["aws"][0]
    assert block["endpoints"] == [{service: "http://127.0.0.1:4566" for service in SERVICES}]
    # ec2: hashicorp/aws 3.39 calls ec2:DescribeAccountAttributes when configured and retries
    # ~20 s against AWS when unreachable; kms: the child's optional log-group key.
    assert {"ec2", "sts", "kms", "iam", "lambda", "sagemaker", "cloudwatchlogs"} <= set(SERVICES)


def test_emulated_accounts_set_the_roots_own_credentials_aside():
    block = provider_override.document([EMULATED])["provider"]["aws"][0]
    assert block["access_key"] == "AKIA1" and block["profile"] is None
    # Terraform docs, "Override Files": a nested block in the override replaces all blocks of
    # that type (dynamic ones too); an empty role_arn makes the provider skip AssumeRole.
    assert block["assume_role"] == [{"role_arn": ""}]
    assert block["skip_credentials_validation"] is True and block["skip_metadata_api_check"] is True


def test_values_are_json_escaped_not_hand_quoted():
    text = provider_override.render([EMULATED])
    assert json.loads(text)["provider"]["aws"][0]["secret_key"] == 's3cr"et'


def test_the_default_provider_has_no_alias_key():
    block = provider_override.document([ProviderSettings(alias="", region="eu-west-1", profile="ops")])["provider"]["aws"][0]
    assert block == {"region": "eu-west-1", "profile": "ops"}


def test_the_file_name_must_be_an_override_name(tmp_path):
    # Terraform docs, "Override Files": only names ending in _override.tf(.json) merge.
    with pytest.raises(ValueError, match="must end with _override.tf.json, not 'providers.tf.json'"):
        provider_override.write(tmp_path, [EMULATED], name="providers.tf.json")
    path = provider_override.write(tmp_path, [EMULATED])
    assert path.name == "xacct_override.tf.json" and json.loads(path.read_text())["//"]
