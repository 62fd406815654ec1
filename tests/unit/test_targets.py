"""Real AWS only on explicit request, and never with missing or unusable credentials."""

from __future__ import annotations

import socket

import pytest

from xacct.targets import AwsTarget, TargetError, resolve_target

pytestmark = pytest.mark.unit

COMPLETE = {
    "XACCT_TARGET": "aws",
    "XACCT_AWS_PARENT_PROFILE": "ml-platform",
    "XACCT_AWS_CHILD_ROLE_ARN": "arn:aws:iam::222222222222:role/ci-e2e",
    "XACCT_AWS_DEMO_MODEL_IMAGE": "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1",
}


def test_the_emulator_is_the_default():
    assert resolve_target({}).kind == "emulator"
    assert resolve_target({"XACCT_AWS_PARENT_PROFILE": "ml-platform"}).kind == "emulator"


def test_a_complete_aws_request_resolves():
    config = resolve_target({**COMPLETE, "XACCT_AWS_REGION": "eu-west-1"})
    assert config.kind == "aws" and config.region == "eu-west-1"
    assert config.accounts["parent"].profile == "ml-platform"
    assert config.accounts["child"].role_arn == "arn:aws:iam::222222222222:role/ci-e2e"
    assert "outsider" not in config.accounts


@pytest.mark.parametrize("missing, named", [
    ("XACCT_AWS_PARENT_PROFILE", "XACCT_AWS_PARENT_PROFILE or XACCT_AWS_PARENT_ROLE_ARN"),
    ("XACCT_AWS_CHILD_ROLE_ARN", "XACCT_AWS_CHILD_PROFILE or XACCT_AWS_CHILD_ROLE_ARN"),
    ("XACCT_AWS_DEMO_MODEL_IMAGE", "XACCT_AWS_DEMO_MODEL_IMAGE"),
])
def test_incomplete_aws_settings_are_refused_naming_the_variable(missing, named):
    env = {k: v for k, v in COMPLETE.items() if k != missing}
    with pytest.raises(TargetError, match=named):
        resolve_target(env)


def test_an_unknown_target_is_refused():
    with pytest.raises(TargetError, match="XACCT_TARGET must be one of emulator, aws"):
        resolve_target({"XACCT_TARGET": "staging"})


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unusable_credentials_stop_before_anything_is_applied(tmp_path, monkeypatch):
    # A profile that exists but whose STS cannot be reached stands in for bad credentials;
    # the endpoint is a closed loopback port, so nothing leaves this machine.
    (tmp_path / "credentials").write_text("[broken]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    config = resolve_target({**COMPLETE, "XACCT_AWS_PARENT_PROFILE": "broken"})
    with pytest.raises(TargetError, match=r"no usable AWS credentials for the parent account \(profile 'broken'\)"):
        AwsTarget(config)


def test_a_missing_profile_is_reported_as_unusable(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(TargetError, match="no usable AWS credentials for the parent account"):
        AwsTarget(resolve_target(COMPLETE))


def test_provider_blocks_use_the_profile_and_the_role():
    target = AwsTarget.__new__(AwsTarget)  # rendering needs no credentials
    target.config, target.region = resolve_target(COMPLETE), "us-east-1"
    text = target.provider_override({"parent": "parent", "child": "child"})
    assert 'alias   = "parent"' in text and 'profile = "ml-platform"' in text
    assert 'role_arn = "arn:aws:iam::222222222222:role/ci-e2e"' in text
    assert "access_key" not in text
