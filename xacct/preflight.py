"""`make preflight`: before a run against real accounts, check what it needs; create nothing.

Real-AWS mode only (XACCT_TARGET=aws, see xacct/targets.py). In order:
1. the credentials of each account (sts:GetCallerIdentity, through xacct.targets);
2. SageMaker answers in the region (sagemaker:ListEndpoints) and the account's quota for
   the demo instance type "for endpoint usage" allows the endpoints the run needs
   (Service Quotas);
3. the model image exists in ECR, in the run's region, and the parent account can see it
   (ecr:DescribeImages);
4. each account's CI principal is allowed what the suite does, as listed in
   docs/ci-role/<account>-account.json (iam:SimulatePrincipalPolicy: one call per
   statement, with a sample ARN of what the run creates and the statement's condition keys).
Then it prints what the run creates and what the endpoint costs per hour. Every problem is
reported with the variable or permission to fix; the exit status is 2 if there is any.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from xacct.ecr_images import parse_image
from xacct.paths import PROJECT_ROOT
from xacct.targets import AwsTarget, TargetConfig, TargetError, resolve_target

CI_ROLE_DIR = PROJECT_ROOT / "docs" / "ci-role"
DEMO_INSTANCE_TYPE = "ml.t2.medium"  # examples/two-accounts variable demo_instance_type
# The e2e modules run one after another, each deploying one endpoint (test_two_accounts,
# test_account_roots, test_multi_child, test_grant_only_consumer); test_two_accounts adds a
# second, unshared endpoint beside its own for a while: two instances at once at most.
ENDPOINT_INSTANCES_NEEDED = 2
ENDPOINTS_PER_RUN = 5
SAMPLE_RUN_PREFIX = "t000000-"
# On-demand real-time inference, USD per instance-hour, us-east-1, from "Amazon SageMaker
# AI Pricing" (Real-Time Inference). Other regions cost more or less; re-check before
# relying on a figure: this is an estimate, not a quote.
PRICE_PER_HOUR_USD = {
    "ml.t2.medium": 0.056,
    "ml.t2.large": 0.111,
    "ml.m5.large": 0.115,
    "ml.c5.large": 0.102,
}

ClientFactory = Callable[[str, str], object]  # (account, service) -> boto3 client


@dataclass(frozen=True)
class Caller:
    account: str
    account_id: str
    arn: str


def load_ci_policy(account: str) -> dict:
    return json.loads((CI_ROLE_DIR / f"{account}-account.json").read_text())


def sample_arn(pattern: str, account_id: str, region: str) -> str:
    """An ARN of the kind the run creates, matching `pattern`: wildcards filled in."""
    if pattern == "*":
        return "*"
    parts = pattern.split(":", 5)
    parts[3] = region if parts[3] == "*" else parts[3]
    parts[4] = account_id if parts[4] == "*" else parts[4]
    parts[5] = parts[5].replace("t??????-*", SAMPLE_RUN_PREFIX + "x").replace("?", "0").replace("*", "x")
    return ":".join(parts)


def principal_arn(caller_arn: str) -> str:
    """SimulatePrincipalPolicy takes the IAM ARN: a role session maps to its role."""
    match = re.match(r"^arn:([\w-]+):sts::(\d{12}):assumed-role/([^/]+)/", caller_arn)
    if match:
        return f"arn:{match.group(1)}:iam::{match.group(2)}:role/{match.group(3)}"
    return caller_arn


def check_permissions(iam, caller: Caller, role_arn_setting: str | None, region: str) -> list[str]:
    # A role with a path is only known by its full ARN; the session ARN drops the path.
    source = role_arn_setting if role_arn_setting and role_arn_setting.split(":")[4] == caller.account_id else principal_arn(caller.arn)
    policy_file = f"docs/ci-role/{caller.account}-account.json"
    problems = []
    for statement in load_ci_policy(caller.account)["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        context = [{"ContextKeyName": key, "ContextKeyValues": [value] if isinstance(value, str) else value,
                    "ContextKeyType": "string" if isinstance(value, str) else "stringList"}
                   for operator in statement.get("Condition", {}).values() for key, value in operator.items()]
        try:
            results = iam.simulate_principal_policy(
                PolicySourceArn=source, ActionNames=statement["Action"],
                ResourceArns=[sample_arn(r, caller.account_id, region) for r in resources], ContextEntries=context,
            )["EvaluationResults"]
        except Exception as error:  # AccessDenied, NoSuchEntity...: the check itself cannot run
            return [f"{caller.account}: cannot check the CI permissions of {source} ({error}); allow it "
                    f"iam:SimulatePrincipalPolicy on itself (statement PreflightSelfCheck of {policy_file})"
                    + ("" if role_arn_setting else f", or set XACCT_AWS_{caller.account.upper()}_ROLE_ARN to the role's full ARN")]
        for result in results:
            denied = [r["EvalResourceName"] for r in result.get("ResourceSpecificResults", [])
                      if r["EvalResourceDecision"] != "allowed"] or (
                [result.get("EvalResourceName", "*")] if result["EvalDecision"] != "allowed" else [])
            for resource in denied:
                problems.append(f"{caller.account}: {source} is not allowed {result['EvalActionName']} on {resource}: "
                                f"add statement {statement.get('Sid', '?')} of {policy_file} to it")
    return problems


def check_sagemaker(sagemaker, quotas, region: str, instance_type: str) -> list[str]:
    try:
        sagemaker.list_endpoints(MaxResults=1)
    except Exception as error:
        return [f"parent: SageMaker does not answer in {region} ({error}); set XACCT_AWS_REGION to a region "
                f"that offers SageMaker real-time inference, and allow sagemaker:ListEndpoints"]
    name = f"{instance_type} for endpoint usage"
    try:
        quota = _find_quota(quotas, name)
    except Exception as error:
        return [f"parent: cannot read the quota {name!r} ({error}); allow servicequotas:ListServiceQuotas "
                f"and servicequotas:ListAWSDefaultServiceQuotas"]
    if quota is None:
        return [f"parent: Service Quotas has no quota {name!r} in {region}: the instance type is not offered "
                f"for endpoints there; pick another region (XACCT_AWS_REGION)"]
    if quota < ENDPOINT_INSTANCES_NEEDED:
        return [f"parent: the quota {name!r} is {quota:g} in {region}; the run needs {ENDPOINT_INSTANCES_NEEDED}: "
                f"request an increase in Service Quotas (service code sagemaker)"]
    return []


def _find_quota(quotas, name: str) -> float | None:
    for operation in ("list_service_quotas", "list_aws_default_service_quotas"):
        for page in quotas.get_paginator(operation).paginate(ServiceCode="sagemaker"):
            for quota in page["Quotas"]:
                if quota["QuotaName"] == name:
                    return quota["Value"]
    return None


def check_image(ecr, image: str, region: str) -> list[str]:
    ref = parse_image(image)
    if ref is None:
        return [f"XACCT_AWS_DEMO_MODEL_IMAGE must be an ECR image URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG "
                f"(build one with `make model-image`), not {image!r}"]
    if ref.region != region:
        return [f"XACCT_AWS_DEMO_MODEL_IMAGE is in {ref.region} but the run is in {region}: SageMaker pulls "
                f"from the endpoint's own region; push the image there (`make model-image`) or set XACCT_AWS_REGION"]
    image_id = {"imageDigest": ref.digest} if ref.digest else {"imageTag": ref.tag}
    try:
        ecr.describe_images(registryId=ref.registry, repositoryName=ref.name, imageIds=[image_id])
    except Exception as error:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
            return [f"XACCT_AWS_DEMO_MODEL_IMAGE {image} does not exist ({code}); push it with `make model-image`"]
        return [f"parent: cannot read {image} ({error}); allow ecr:DescribeImages on the repository, and if it is in "
                f"another account, let the parent account pull through the repository policy"]
    return []


def run_plan(config: TargetConfig, callers: dict[str, Caller], instance_type: str) -> str:
    price = PRICE_PER_HOUR_USD.get(instance_type)
    cost = (f"about {price:.3f} USD per hour while an endpoint is up ({instance_type}, us-east-1 on-demand price; "
            f"each of the {ENDPOINTS_PER_RUN} endpoints lives 10-20 minutes, so a run costs well under "
            f"{price * ENDPOINTS_PER_RUN * 0.5:.2f} USD)" if price else
            f"unknown: {instance_type} is not in the price table of xacct/preflight.py; see Amazon SageMaker AI Pricing")
    parent, child = callers["parent"].account_id, callers["child"].account_id
    return "\n".join([
        f"A run creates, in {config.region}, named t<6 hex>-... and tagged xacct-test-run=t<6 hex>:",
        f"  parent account {parent}: IAM roles and policies (the invoke role, the endpoint's execution role),",
        f"    SageMaker models, endpoint configurations and {ENDPOINTS_PER_RUN} endpoints of one {instance_type} each,",
        f"    at most {ENDPOINT_INSTANCES_NEEDED} at a time, and their /aws/sagemaker/Endpoints/... log groups;",
        f"  child account {child}: IAM execution roles and inline policies, Lambda functions, /aws/lambda/... log groups.",
        "Everything is destroyed at the end of each test module.",
        f"Endpoint cost: {cost}.",
    ])


def preflight(config: TargetConfig, callers: dict[str, Caller], client: ClientFactory,
              instance_type: str = DEMO_INSTANCE_TYPE) -> list[str]:
    """Every problem found, each naming what to fix; an empty list means ready."""
    problems = check_sagemaker(client("parent", "sagemaker"), client("parent", "service-quotas"), config.region, instance_type)
    problems += check_image(client("parent", "ecr"), config.demo_model_image, config.region)
    for account in ("parent", "child"):
        problems += check_permissions(client(account, "iam"), callers[account],
                                      config.accounts[account].role_arn, config.region)
    return problems


def main(env: dict[str, str] | None = None) -> int:
    try:
        config = resolve_target(env)
        if config.kind != "aws":
            raise TargetError("make preflight checks a run against real accounts: set XACCT_TARGET=aws "
                              "(and the XACCT_AWS_* variables, see README)")
        target = AwsTarget(config)  # GetCallerIdentity for each account, refusing unusable credentials
    except TargetError as error:
        print(f"preflight: {error}", file=sys.stderr)
        return 2
    callers = {name: Caller(name, ref.id, target.session(name).client("sts").get_caller_identity()["Arn"])
               for name, ref in target.accounts.items()}
    for caller in callers.values():
        print(f"{caller.account}: account {caller.account_id} as {caller.arn}")
    problems = preflight(config, callers, lambda account, service: target.client(service, account))
    print(run_plan(config, callers, DEMO_INSTANCE_TYPE))
    for problem in problems:
        print(f"preflight: {problem}", file=sys.stderr)
    print("Nothing was created." + (" Ready to run `make test-e2e`." if not problems else ""))
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
