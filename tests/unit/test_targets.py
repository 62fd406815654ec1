"""Real AWS only on explicit request, and never with missing or unusable credentials."""

from __future__ import annotations

import datetime
import json
import socket

import botocore.session
import pytest

from xacct.emulator.client import EmulatorProcess
from xacct.targets import AwsTarget, EmulatorOnly, Target, TargetError, refreshing_session, resolve_target

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
    blocks = json.loads(target.provider_override({"parent": "parent", "child": "child"}))["provider"]["aws"]
    assert blocks[0] == {"region": "us-east-1", "alias": "parent", "profile": "ml-platform"}
    assert blocks[1] == {"region": "us-east-1", "alias": "child", "profile": None,
                         "assume_role": [{"role_arn": "arn:aws:iam::222222222222:role/ci-e2e"}]}


def test_both_targets_implement_the_interface():
    aws = AwsTarget.__new__(AwsTarget)  # no credentials needed to check the shape
    aws.region, aws.accounts = "us-east-1", {}
    assert isinstance(aws, Target)
    assert isinstance(EmulatorProcess(), Target)
    assert not isinstance(object(), Target)  # the check can fail


def test_emulator_hooks_are_refused_by_name_on_aws():
    target = AwsTarget.__new__(AwsTarget)
    with pytest.raises(EmulatorOnly, match="needs the emulator's fault injection; not available against real AWS"):
        target.inject_fault("demo-echo", "ModelError")
    with pytest.raises(EmulatorOnly, match="needs the emulator's IAM propagation delay"):
        target.set_iam_propagation(2)


class _ShortLivedSts:
    """Stands in for STS: each AssumeRole answer expires in five minutes, inside botocore's
    mandatory refresh window (10 minutes), so every use of the credentials must fetch anew."""

    def __init__(self):
        self.calls = []

    def assume_role(self, **params):
        self.calls.append(params)
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
        n = len(self.calls)
        return {"Credentials": {"AccessKeyId": f"ASIA{n:016d}", "SecretAccessKey": f"secret{n}",
                                "SessionToken": f"token{n}", "Expiration": expiry}}


def test_role_sessions_refresh_before_they_expire(monkeypatch, tmp_path):
    # botocore's refreshable credentials fetch again when expiry is near; a session assumed
    # once (the old behaviour) would hand out the first keys until they expire.
    (tmp_path / "credentials").write_text("[ci]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    sts = _ShortLivedSts()
    monkeypatch.setattr(botocore.session.Session, "create_client", lambda self, *a, **k: sts)
    session = refreshing_session("arn:aws:iam::222222222222:role/ci-e2e", "us-east-1", profile="ci")
    first = session.get_credentials().get_frozen_credentials()
    second = session.get_credentials().get_frozen_credentials()
    assert (first.access_key, second.access_key) == ("ASIA0000000000000001", "ASIA0000000000000002")
    assert sts.calls[0] == {"RoleArn": "arn:aws:iam::222222222222:role/ci-e2e", "RoleSessionName": "xacct-e2e"}
