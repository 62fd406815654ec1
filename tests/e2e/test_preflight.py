"""`make preflight`'s checks against the emulator, where the emulator can answer.

Real calls to the emulator: sts:GetCallerIdentity (the callers), sagemaker:ListEndpoints
(SageMaker answers in the region) and ecr:DescribeImages (the model image exists). The
emulator has no counterpart for Service Quotas' SageMaker quotas (moto answers only for
`vpc`) nor for iam:SimulatePrincipalPolicy, so those two clients are the emulator's own,
given canned answers through botocore's Stubber. The call journal proves nothing was created.
"""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from xacct import preflight
from xacct.emulator.client import EmulatorProcess
from xacct.targets import AccountAccess, TargetConfig

pytestmark = pytest.mark.emulator

REPOSITORY = "xacct-echo-preflight"
TAG = "echo-0123456789ab"
# A Docker image manifest (schema 2), enough for ECR to record an image under the tag.
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                  "digest": "sha256:" + "a" * 64}, "layers": []})
READ_ONLY = ("Get", "List", "Describe")


@pytest.fixture(scope="module")
def emu(target):
    if not isinstance(target, EmulatorProcess):
        pytest.skip("checks the preflight against the emulator; against real AWS run `make preflight`")
    ecr = target.client("ecr", "parent")
    ecr.create_repository(repositoryName=REPOSITORY)
    ecr.put_image(repositoryName=REPOSITORY, imageManifest=MANIFEST, imageTag=TAG)
    yield target
    ecr.delete_repository(repositoryName=REPOSITORY, force=True)


def image(emu, tag=TAG, repository=REPOSITORY):
    return f"{emu.accounts['parent'].id}.dkr.ecr.{emu.region}.amazonaws.com/{repository}:{tag}"


def run(emu, image_uri):
    config = TargetConfig(kind="aws", region=emu.region, demo_model_image=image_uri,
                          accounts={name: AccountAccess(name) for name in ("parent", "child")})
    callers = {name: preflight.Caller(name, emu.accounts[name].id,
                                      emu.client("sts", name).get_caller_identity()["Arn"]) for name in ("parent", "child")}
    stubs = []

    def client(account, service):
        real = emu.client(service, account)
        if service not in ("iam", "service-quotas"):
            return real
        stub = Stubber(real)
        if service == "service-quotas":
            stub.add_response("list_service_quotas", {"Quotas": [
                {"QuotaName": f"{preflight.DEMO_INSTANCE_TYPE} for endpoint usage", "Value": 2.0}]})
        else:
            for statement in preflight.load_ci_policy(account)["Statement"]:
                stub.add_response("simulate_principal_policy", {"EvaluationResults": [
                    {"EvalActionName": a, "EvalDecision": "allowed", "EvalResourceName": "*"} for a in statement["Action"]]})
        stub.activate()
        stubs.append(stub)
        return real

    problems = preflight.preflight(config, callers, client)
    for stub in stubs:
        stub.assert_no_pending_responses()
    return problems, preflight.run_plan(config, callers, preflight.DEMO_INSTANCE_TYPE)


def test_ready_accounts_pass_and_the_plan_is_printed_without_creating_anything(emu):
    emu.clear_journal()
    problems, plan = run(emu, image(emu))
    assert problems == []
    assert f"parent account {emu.accounts['parent'].id}" in plan and f"child account {emu.accounts['child'].id}" in plan
    assert "Endpoint cost: about 0.056 USD per hour" in plan
    actions = [entry["action"] for entry in emu.journal()]  # "service:Operation"
    assert {"sts:GetCallerIdentity", "sagemaker:ListEndpoints", "ecr:DescribeImages"} <= set(actions)
    assert [a for a in actions if not a.split(":", 1)[1].startswith(READ_ONLY)] == []


def test_missing_tag_is_refused_with_the_variable_to_fix(emu):
    uri = image(emu, tag="echo-missing")
    problems, _ = run(emu, uri)
    assert problems == [f"XACCT_AWS_DEMO_MODEL_IMAGE {uri} does not exist (ImageNotFoundException); "
                        "push it with `make model-image`"]


def test_missing_repository_is_refused_with_the_variable_to_fix(emu):
    uri = image(emu, repository="no-such-repository")
    problems, _ = run(emu, uri)
    assert problems == [f"XACCT_AWS_DEMO_MODEL_IMAGE {uri} does not exist (RepositoryNotFoundException); "
                        "push it with `make model-image`"]
