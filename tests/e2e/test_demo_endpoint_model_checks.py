"""The demo endpoint's run_model policy is what lets SageMaker run its model, applied on the emulator.

With the model image in an ECR repository the emulator holds, SageMaker's checks apply
(xacct/emulator/sagemaker_model_checks.py): the demo endpoint without its run_model policy
fails as AWS fails it, an endpoint that ends in `Failed` with the FailureReason AWS users
quote (aws/sagemaker-python-sdk#1835), and the shipped root applies. One staged copy of
examples/two-accounts/demo-endpoint serves both: the first test strips the policy from its
main.tf and puts it back; the second applies the shipped file, replacing the failed endpoint.
Emulator only: it needs a repository the emulator holds, and an endpoint left Failed on
purpose would be billed on real AWS.
"""

from __future__ import annotations

import json
import re

import pytest
import tftest

from xacct.emulator.client import EmulatorProcess
from xacct.emulator.sagemaker_model_checks import images_not_accessible
from xacct.paths import EXAMPLES_DIR
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

DEMO_ENDPOINT = EXAMPLES_DIR / "two-accounts" / "demo-endpoint"
# A Docker image manifest (schema 2), enough for ECR to record an image under the tag.
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                  "digest": "sha256:" + "b" * 64}, "layers": []})
RUN_MODEL_BLOCK = re.compile(r'\nresource "aws_iam_role_policy" "run_model" \{\n.*?\n\}\n', re.S)
DEPENDS_ON_RUN_MODEL = re.compile(r"\n *depends_on = \[aws_iam_role_policy\.run_model\]\n")


def without_run_model(main_tf: str) -> str:
    """main.tf with the run_model policy and the model's wait for it taken out."""
    stripped, blocks = RUN_MODEL_BLOCK.subn("\n", main_tf)
    stripped, waits = DEPENDS_ON_RUN_MODEL.subn("\n", stripped)
    assert (blocks, waits) == (1, 1), "demo-endpoint/main.tf no longer has the run_model policy this test removes"
    return stripped


@pytest.fixture(scope="module")
def image(target, run_prefix):
    """An image in the parent account's ECR, so SageMaker's pull is checked."""
    if not isinstance(target, EmulatorProcess):
        pytest.skip("needs an ECR repository the emulator holds; on real AWS the demo endpoint is applied by test_two_accounts")
    ecr = target.client("ecr", "parent")
    repository = ecr.create_repository(repositoryName=f"{run_prefix}demo-echo")["repository"]
    ecr.put_image(repositoryName=repository["repositoryName"], imageManifest=MANIFEST, imageTag="1")
    yield f"{repository['repositoryUri']}:1"
    ecr.delete_repository(repositoryName=repository["repositoryName"], force=True)


@pytest.fixture(scope="module")
def root(target, image, run_prefix):
    staged = StagedRoot(DEMO_ENDPOINT, relative_dir="demo-endpoint", override=target.provider_override({"": "parent"}))
    try:
        staged.set_vars({"name_prefix": f"{run_prefix}mc-", "endpoint_name": f"{run_prefix}mc-echo", "model_image": image})
        staged.init()
        yield staged
    finally:
        staged.close()


def endpoint(target, root) -> dict:
    name = json.loads((root.dir / "run.auto.tfvars.json").read_text())["endpoint_name"]
    return target.client("sagemaker", "parent").describe_endpoint(EndpointName=name)


def test_without_its_run_model_policy_the_endpoint_fails_as_on_aws(target, root):
    main_tf = root.dir / "main.tf"
    shipped = main_tf.read_text()
    main_tf.write_text(without_run_model(shipped))
    try:
        with pytest.raises(tftest.TerraformTestError) as failure:
            root.apply()
    finally:
        main_tf.write_text(shipped)
    described = endpoint(target, root)
    # Terraform waits for InService and stops at Failed. hashicorp/aws 3.39 says only that
    # ("ResourceNotReady: failed waiting for successful resource state"); newer releases add
    # the FailureReason. DescribeEndpoint carries it either way, as on AWS.
    message = " ".join(str(failure.value).split())
    assert re.search(rf"SageMaker (AI )?Endpoint \({described['EndpointName']}\)", message), message
    assert (described["EndpointStatus"], described["FailureReason"]) == ("Failed", images_not_accessible("AllTraffic"))


def test_the_shipped_demo_endpoint_applies(target, root):
    root.apply()
    described = endpoint(target, root)
    assert described["EndpointStatus"] == "InService" and "FailureReason" not in described
