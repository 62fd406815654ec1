"""What SageMaker checks before it runs a model: the execution role and the model's image.

SageMaker assumes the model's execution role (principal `sagemaker.amazonaws.com`) and,
with that role's session, pulls each container image from ECR ("How to use SageMaker AI
execution roles", section "CreateModel API: Execution Role Permissions"). Where AWS fails,
and with what, comes from the error texts AWS users have quoted, since the API reference
does not list them:

- The role does not exist or does not trust SageMaker: CreateModel answers
  `ValidationException: Could not assume role ARN. Please ensure that the role exists and
  allows principal 'sagemaker.amazonaws.com' to assume the role.` The text is quoted for
  CreateTransformJob, which takes its role the same way, in
  awslabs/predictive-maintenance-using-machine-learning#3 (a role that did not exist); no
  quote for CreateModel itself was found, so its exact wording there is assumed the same.
- The image's tag or digest is not in its repository: CreateModel answers
  `ValidationException: Requested image IMAGE not found.`
  (aws-samples/easy-amazon-sagemaker-deployments#4, an image never pushed).
- The role may not pull the image: CreateModel succeeds and the endpoint ends in `Failed`
  with `FailureReason: Please make sure all images included in the model for the production
  variant VARIANT exist, and that the execution role used to create the model has
  permissions to access them.` (quoted in aws/sagemaker-python-sdk#1835,
  aws/amazon-sagemaker-examples#275 and yuyasugano/terraform-sagemaker-sample-1#1). AWS
  does not say which permission was missing; neither does the emulator.

The pull is decided by the policy engine as ECR would decide a pull by the role's session
(`assumed-role/ROLE/SageMaker`, the session name SageMaker uses in the denials quoted in
aws-samples/awsome-distributed-training, HyperPod observability notes):
ecr:GetAuthorizationToken on "*" (no resource type, so identity policies only) and
ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the repository, where the repository
policy counts as a resource-based policy ("Amazon ECR private repository policies"): in the
role's own account either the role's policies or the repository policy may allow; from
another account both must ("Cross-account policy evaluation logic").

Images are only checked in repositories the emulator holds (an account and region it
serves, a repository created in its ECR). Any other image is accepted as before, so roots
that name an image nobody pushed keep working; the echo model answers either way.

Not checked, because AWS is not known to fail on it: CloudWatch Logs and metrics
permissions. No AWS page or quoted error shows CreateModel or an endpoint failing when the
role may not write its logs; the container's output is then missing from the log group.
"""

from __future__ import annotations

from moto.ecr.models import ecr_backends
from moto.iam.models import iam_backends
from moto.sagemaker.exceptions import ValidationError

from xacct.ecr_images import ImageRef, parse_image
from xacct.emulator import arns, policy
from xacct.emulator.identity import role_documents
from xacct.emulator.state import STATE

SERVICE = "sagemaker.amazonaws.com"
SESSION_NAME = "SageMaker"


def could_not_assume(role_arn: str) -> str:
    return (f"Could not assume role {role_arn}. Please ensure that the role exists and allows principal "
            f"'{SERVICE}' to assume the role.")


def image_not_found(image: str) -> str:
    return f"Requested image {image} not found."


def images_not_accessible(variant: str) -> str:
    return (f"Please make sure all images included in the model for the production variant {variant} exist, "
            "and that the execution role used to create the model has permissions to access them.")


def model_images(model) -> list[str]:
    """Every image a model runs: its primary container or each of its containers."""
    containers = [model.primary_container] if model.primary_container else list(model.containers or [])
    return [c["Image"] for c in containers if isinstance(c, dict) and c.get("Image")]


# --- lookups in moto's state -------------------------------------------------------------

def _role(role_arn: str):
    parts = arns.parse(role_arn)
    if parts is None or parts["service"] != "iam" or parts["account"] not in iam_backends:
        return None
    try:
        return iam_backends[parts["account"]][parts["partition"]].get_role_by_arn(role_arn)
    except Exception:  # moto raises its own NotFound
        return None


def _repository(ref: ImageRef):
    """The ECR repository the image names, if the emulator holds it."""
    if ref.registry not in STATE.accounts.values() or ref.registry not in ecr_backends:
        return None
    try:
        backend = ecr_backends[ref.registry][ref.region]
    except Exception:  # a region moto does not know
        return None
    repository = backend.repositories.get(ref.name)
    return repository if repository is not None and repository.registry_id == ref.registry else None


def _image_exists(repository, ref: ImageRef) -> bool:
    return any((ref.tag is None or ref.tag in image.image_tags)
               and (ref.digest is None or ref.digest == image.get_image_digest())
               for image in repository.images)


# --- decisions ---------------------------------------------------------------------------

def trusts_sagemaker(role) -> bool:
    """Does the role's trust policy let SageMaker assume it ("Policy evaluation logic")?"""
    account = arns.account_of(role.arn)
    service = policy.Principal(arn=SERVICE, account=account, principal_arn=SERVICE, service=SERVICE)
    decision = policy.evaluate(
        action="sts:AssumeRole", resource=role.arn, principal=service, identity_policies=[],
        resource_policy=role.assume_role_policy_document, resource_account=account,
        # aws:SourceAccount: the account SageMaker acts for ("AWS global condition context
        # keys"). aws:SourceArn is not set: which ARN SageMaker sends here is not documented.
        context={"aws:SourceAccount": account})
    return decision.allowed


def role_session(role) -> tuple[policy.Principal, list, object | None]:
    """The principal SageMaker's session of the role is, with the role's policies."""
    account = arns.account_of(role.arn)
    partition = arns.parse(role.arn)["partition"]
    documents, boundary = role_documents(account, role, partition)
    principal = policy.Principal(
        arn=f"arn:{partition}:sts::{account}:assumed-role/{role.name}/{SESSION_NAME}", account=account,
        principal_arn=role.arn, org_id=STATE.org_of(account), is_role_session=True,
        principal_type="AssumedRole", user_id=f"{role.id}:{SESSION_NAME}")
    return principal, documents, boundary


def may_pull(role, repository, region: str) -> bool:
    """Would ECR let SageMaker's session of `role` pull from `repository`?"""
    principal, documents, boundary = role_session(role)
    requests = [("ecr:GetAuthorizationToken", "*", None, principal.account),
                *[(action, repository.arn, repository.policy, repository.registry_id)
                  for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")]]
    for action, resource, resource_policy, resource_account in requests:
        decision = policy.evaluate(
            action=action, resource=resource, principal=principal, identity_policies=documents,
            permissions_boundary=boundary, resource_policy=resource_policy, resource_account=resource_account,
            context={"aws:RequestedRegion": region})
        STATE.record({"account": principal.account, "action": action, "caller": principal.arn,
                      "resource": resource, "allowed": decision.allowed, "reason": decision.reason,
                      "on_behalf_of": SERVICE})
        if not decision.allowed:
            return False
    return True


def create_model_error(role_arn: str | None, images: list[str]) -> str | None:
    """CreateModel's ValidationException message, or None when SageMaker accepts the model."""
    role = _role(role_arn or "")
    if role is None or not trusts_sagemaker(role):
        return could_not_assume(role_arn)
    for image in images:
        ref = parse_image(image)
        repository = _repository(ref) if ref else None
        if repository is not None and not _image_exists(repository, ref):
            return image_not_found(image)
    return None


def endpoint_failure(models: list) -> str | None:
    """The FailureReason of an endpoint whose variants run `models` ((variant, model) pairs)."""
    for variant, model in models:
        role = _role(model.execution_role_arn)
        for image in model_images(model):
            ref = parse_image(image)
            repository = _repository(ref) if ref else None
            if repository is None:
                continue  # not an image the emulator holds: accepted
            if role is None or not _image_exists(repository, ref) or not may_pull(role, repository, ref.region):
                return images_not_accessible(variant)
    return None


def refuse_model(role_arn: str | None, images: list[str]) -> None:
    message = create_model_error(role_arn, images)
    if message is not None:
        raise ValidationError(message=message)
