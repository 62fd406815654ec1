"""What SageMaker checks before it runs a model, on the emulator (sagemaker_model_checks.py).

Specification: Amazon SageMaker Developer Guide, "How to use SageMaker AI execution roles"
(the role trusts sagemaker.amazonaws.com; "CreateModel API: Execution Role Permissions":
ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer); Amazon ECR User
Guide, "Private repository policies"; IAM User Guide, "Policy evaluation logic" and
"Cross-account policy evaluation logic". The error texts are AWS's as users quoted them
(sources in sagemaker_model_checks.py): the API reference does not list them, and the
CreateModel wording of the trust error is taken from CreateTransformJob's.
"""

from __future__ import annotations

import functools
import json

import pytest

from tests.unit import iam_world
from tests.unit.iam_world import account_id, allow, doc, emulator, error_of, make_role, trust_statement, unique
from xacct.emulator import sagemaker_model_checks as checks

pytestmark = pytest.mark.unit

REGION = "us-east-1"
SAGEMAKER_TRUST = doc(trust_statement({"Service": "sagemaker.amazonaws.com"}))
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                  "digest": "sha256:" + "1" * 64}, "layers": []})


@functools.lru_cache(maxsize=None)
def admin(service: str, account: str = "parent"):
    """One administrator client per service and account (creating a client is the slow part)."""
    return iam_world.admin(service, account)


def repository(account: str = "parent", policy: str | None = None) -> dict:
    """An ECR repository in `account` holding one image, tag "1"."""
    ecr = admin("ecr", account)
    created = ecr.create_repository(repositoryName=unique("team/echo"))["repository"]
    ecr.put_image(repositoryName=created["repositoryName"], imageManifest=MANIFEST, imageTag="1")
    if policy is not None:
        ecr.set_repository_policy(repositoryName=created["repositoryName"], policyText=policy)
    return created


def run_model(role_arn: str, image: str) -> dict:
    """CreateModel, CreateEndpointConfig and CreateEndpoint in the parent account; the endpoint as described."""
    sagemaker = admin("sagemaker", "parent")
    name = unique("ep")
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=role_arn, PrimaryContainer={"Image": image})
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    return sagemaker.describe_endpoint(EndpointName=name)


def create_model(role_arn: str, image: str = "111111111111.dkr.ecr.us-east-1.amazonaws.com/unknown:1"):
    return admin("sagemaker", "parent").create_model(
        ModelName=unique("model"), ExecutionRoleArn=role_arn, PrimaryContainer={"Image": image})


def could_not_assume(role_arn: str) -> dict:
    return {"code": "ValidationException", "status": 400, "message": (
        f"Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
        "'sagemaker.amazonaws.com' to assume the role.")}


FAILED = ("Please make sure all images included in the model for the production variant AllTraffic exist, "
          "and that the execution role used to create the model has permissions to access them.")


# --- the execution role's trust ----------------------------------------------------------

def test_a_role_that_does_not_trust_sagemaker_is_refused_at_create_model():
    """SageMaker assumes the execution role; a role trusting only Lambda cannot be assumed by it."""
    role = make_role("parent", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    assert error_of(create_model, role["Arn"]) == could_not_assume(role["Arn"])


def test_a_role_that_does_not_exist_is_refused_at_create_model():
    """The message asks that "the role exists": a missing role fails the same way."""
    missing = f"arn:aws:iam::{account_id('parent')}:role/{unique('missing')}"
    assert error_of(create_model, missing) == could_not_assume(missing)


def test_a_role_trusting_sagemaker_is_accepted():
    role = make_role("parent", SAGEMAKER_TRUST)
    assert create_model(role["Arn"])["ModelArn"]


def test_the_trust_policy_is_evaluated_with_its_conditions_and_denies():
    """"Policy evaluation logic": a condition that does not hold, or an explicit Deny, refuses
    SageMaker as it would any principal; aws:SourceAccount is the account SageMaker acts for."""
    parent = account_id("parent")
    own_account = make_role("parent", doc(trust_statement(
        {"Service": "sagemaker.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": parent}})))
    assert create_model(own_account["Arn"])["ModelArn"]
    other_account = make_role("parent", doc(trust_statement(
        {"Service": "sagemaker.amazonaws.com"}, Condition={"StringEquals": {"aws:SourceAccount": account_id("child")}})))
    assert error_of(create_model, other_account["Arn"]) == could_not_assume(other_account["Arn"])
    denied = make_role("parent", doc(trust_statement({"Service": "sagemaker.amazonaws.com"}),
                                     {"Effect": "Deny", "Principal": {"Service": "sagemaker.amazonaws.com"},
                                      "Action": "sts:AssumeRole"}))
    assert error_of(create_model, denied["Arn"]) == could_not_assume(denied["Arn"])


# --- pulling the image -------------------------------------------------------------------

def test_a_role_without_ecr_permissions_leaves_the_endpoint_failed():
    """CreateModel accepts the model; the endpoint ends in Failed with AWS's FailureReason."""
    repo = repository()
    role = make_role("parent", SAGEMAKER_TRUST, doc(allow("logs:*")))
    endpoint = run_model(role["Arn"], f"{repo['repositoryUri']}:1")
    assert (endpoint["EndpointStatus"], endpoint["FailureReason"]) == ("Failed", FAILED)


def test_a_failed_endpoint_cannot_be_invoked():
    """Only an InService endpoint answers; the runtime's exact text for a Failed one is the
    echo runtime's (sagemaker_echo.py), so only the refusal is asserted here."""
    repo = repository()
    endpoint = run_model(make_role("parent", SAGEMAKER_TRUST)["Arn"], f"{repo['repositoryUri']}:1")
    runtime = admin("sagemaker-runtime", "parent")
    assert error_of(runtime.invoke_endpoint, EndpointName=endpoint["EndpointName"], Body=b"x")["status"] == 400


def test_each_pull_permission_is_needed():
    """"CreateModel API: Execution Role Permissions": the registry token and both pull actions."""
    repo = repository()
    image = f"{repo['repositoryUri']}:1"
    for missing in ("ecr:GetAuthorizationToken", *PULL):
        granted = [a for a in ("ecr:GetAuthorizationToken", *PULL) if a != missing]
        role = make_role("parent", SAGEMAKER_TRUST, doc(allow(granted, "*")))
        assert run_model(role["Arn"], image)["EndpointStatus"] == "Failed", missing


def test_pull_scoped_to_another_repository_fails():
    repo, other = repository(), repository()
    role = make_role("parent", SAGEMAKER_TRUST, doc(allow("ecr:GetAuthorizationToken"), allow(PULL, other["repositoryArn"])))
    assert run_model(role["Arn"], f"{repo['repositoryUri']}:1")["FailureReason"] == FAILED


def test_the_shipped_demo_endpoint_policy_runs_the_model():
    """The statements of examples/two-accounts/demo-endpoint's run_model policy (the plan test
    pins them): pull from the image's repository only, the registry token, logs, metrics."""
    repo = repository()
    log_group = f"arn:aws:logs:{REGION}:{account_id('parent')}:log-group:/aws/sagemaker/Endpoints/demo"
    run_model_policy = doc(
        {"Sid": "PullModelImage", "Effect": "Allow", "Action": PULL, "Resource": repo["repositoryArn"]},
        {"Sid": "GetRegistryToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "WriteEndpointLogs", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:DescribeLogStreams", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [log_group, f"{log_group}:log-stream:*"]},
        {"Sid": "PublishEndpointMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": "/aws/sagemaker/Endpoints"}}})
    role = make_role("parent", SAGEMAKER_TRUST, run_model_policy)
    endpoint = run_model(role["Arn"], f"{repo['repositoryUri']}:1")
    assert endpoint["EndpointStatus"] == "InService" and "FailureReason" not in endpoint


def test_missing_logs_permissions_fail_nothing():
    """No AWS page or quoted error shows a model or endpoint failing for want of CloudWatch
    Logs permissions, so the emulator fails nothing for it (the logs are simply not written)."""
    repo = repository()
    role = make_role("parent", SAGEMAKER_TRUST, doc(allow("ecr:GetAuthorizationToken"), allow(PULL, repo["repositoryArn"])))
    assert run_model(role["Arn"], f"{repo['repositoryUri']}:1")["EndpointStatus"] == "InService"


def test_a_repository_policy_naming_the_role_grants_the_pull_in_the_same_account():
    """"Policy evaluation logic": in one account, a resource-based policy naming the role
    allows without an identity policy; only the registry token needs one (it has no resource)."""
    role = make_role("parent", SAGEMAKER_TRUST, doc(allow("ecr:GetAuthorizationToken")))
    repo = repository(policy=doc({"Effect": "Allow", "Principal": {"AWS": role["Arn"]}, "Action": PULL}))
    assert run_model(role["Arn"], f"{repo['repositoryUri']}:1")["EndpointStatus"] == "InService"


def test_a_repository_in_another_account_needs_both_policies():
    """"Cross-account policy evaluation logic": the role's policy AND the repository policy."""
    token = allow("ecr:GetAuthorizationToken")
    for role_grants, repository_grants, status in ((True, False, "Failed"), (False, True, "Failed"), (True, True, "InService")):
        role = make_role("parent", SAGEMAKER_TRUST, doc(token, *([allow(PULL, "*")] if role_grants else [])))
        statement = {"Effect": "Allow", "Principal": {"AWS": role["Arn"]}, "Action": PULL}
        repo = repository("child", policy=doc(statement) if repository_grants else None)
        assert run_model(role["Arn"], f"{repo['repositoryUri']}:1")["EndpointStatus"] == status, (role_grants, repository_grants)


def test_an_image_missing_from_its_repository_is_refused_at_create_model():
    repo = repository()
    role = make_role("parent", SAGEMAKER_TRUST, doc(allow("ecr:*")))
    for image in (f"{repo['repositoryUri']}:2", repo["repositoryUri"], f"{repo['repositoryUri']}@sha256:{'0' * 64}"):
        assert error_of(create_model, role["Arn"], image) == {
            "code": "ValidationException", "status": 400, "message": f"Requested image {image} not found."}


def test_images_outside_the_emulators_repositories_are_accepted():
    """Only repositories the emulator holds are checked: roots naming an image nobody pushed still run."""
    role = make_role("parent", SAGEMAKER_TRUST)
    for image in (f"{account_id('parent')}.dkr.ecr.{REGION}.amazonaws.com/{unique('never-created')}:1",
                  "444455556666.dkr.ecr.eu-west-1.amazonaws.com/team/echo:1", "echo"):
        assert run_model(role["Arn"], image)["EndpointStatus"] == "InService", image


def test_the_pull_decisions_are_journalled():
    repo = repository()
    role = make_role("parent", SAGEMAKER_TRUST)
    run_model(role["Arn"], f"{repo['repositoryUri']}:1")
    entries = [e for e in emulator().journal() if e.get("on_behalf_of") == "sagemaker.amazonaws.com"
               and e["caller"] == f"arn:aws:sts::{account_id('parent')}:assumed-role/{role['RoleName']}/SageMaker"]
    assert entries and entries[-1]["action"] == "ecr:GetAuthorizationToken" and entries[-1]["allowed"] is False

