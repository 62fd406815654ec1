"""The parent's policy sizes against IAM's quotas, and its organization-wide trust, planned.

IAM's quota for a role trust policy is 2048 characters by default and 4096 at most; a managed
policy holds 6144; both counted without whitespace (IAM User Guide, "IAM and AWS STS quotas").
The trust policy's check is a variable validation (tests/plan/validation_cases.yaml); the
invoke policy's is a precondition on the policy, tested here.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.plan.fixture import load_cases
from xacct import policy_sizes
from xacct.staging import StagedRoot

pytestmark = pytest.mark.plan

ORG = "o-abcdef1234"
OU = f"{ORG}/r-ab12/ou-ab12-11111111/"


# 28 mixed-case names of 63 characters: 56 ARNs (each as written and lower-cased).
OVERSIZED_ENDPOINTS = [f"Fraud-Scoring-Model-Variant-{n:02d}-" + "X" * 32 for n in range(1, 29)]


def test_an_invoke_policy_over_the_managed_policy_quota_fails_the_plan(module_fixture):
    valid = dict(load_cases("parent")[0][1]["inputs"])
    output = module_fixture("parent", valid).plan_error({**valid, "create": True, "endpoints": OVERSIZED_ENDPOINTS})
    flat = re.sub(r"\s+", " ", output)
    assert "Resource precondition failed" in flat, output[-2000:]
    assert re.search(r"endpoints make an invoke policy of \d{4} characters \(whitespace excluded\), "
                     r"over IAM's limit of 6144 for a managed policy", flat), output[-2000:]


def test_an_invoke_policy_under_the_quota_plans(module_fixture):
    """The same check lets a policy under the limit through: 50 of those ARNs, about 5,940 characters."""
    valid = dict(load_cases("parent")[0][1]["inputs"])
    assert module_fixture("parent", valid).plan_error({**valid, "create": True, "endpoints": OVERSIZED_ENDPOINTS[:25]}) == ""


def test_the_trust_policy_message_counts_what_fits(module_fixture):
    """25 consumer accounts fail the default quota; the estimate matches the measured table below."""
    valid = dict(load_cases("parent")[0][1]["inputs"])
    accounts = policy_sizes.consumer_accounts(25)
    output = module_fixture("parent", valid).plan_error({
        **valid, "create": True, "trusted_account_ids": accounts,
        "trusted_principal_arn_patterns": [f"arn:aws:iam::{a}:role/{policy_sizes.ROLE_NAME}" for a in accounts]})
    flat = re.sub(r"\s+", " ", output)
    assert "Invalid value for variable" in flat, output[-2000:]
    assert re.search(r"the trust policy is \d{4} characters \(whitespace excluded\), over the limit of 2048", flat), output[-2000:]
    assert "each consuming account adds about 89, so about 20 fit in 2048 and 43 in 4096." in flat, output[-2000:]
    assert "or use trust_scope = organization" in flat, output[-2000:]


@pytest.fixture(scope="module")
def organization_plan(target) -> dict:
    with StagedRoot.example("organization", override=target.provider_override({"": "parent"})) as root:
        root.set_vars({"name_prefix": "org-", "organization_id": ORG, "organization_unit_paths": [OU],
                       "external_ids": ["ext-1234"], "endpoint_names": ["Fraud-Model"]})
        root.init()
        root.tf.execute_command("plan", "-input=false", "-no-color", "-out=org.plan")
        return json.loads(root.tf.execute_command("show", "-json", "org.plan").out)


def _resource(plan: dict, address: str) -> dict:
    for module in plan["planned_values"]["root_module"].get("child_modules", []):
        for resource in module.get("resources", []):
            if resource["address"] == address:
                return resource["values"]
    raise AssertionError(f"{address} is not in the plan")


def test_organization_example_trusts_the_invoker_name_in_member_accounts_only(organization_plan):
    role = _resource(organization_plan, "module.parent.aws_iam_role.this[0]")
    statement = json.loads(role["assume_role_policy"])["Statement"]
    assert statement == [{
        "Sid": "OrganizationPrincipalsAssumeRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"AWS": "*"},
        "Condition": {
            "StringEquals": {"sts:ExternalId": ["ext-1234"], "aws:PrincipalOrgID": [ORG]},
            "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/org-sagemaker-invoker-exec"]},
            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [OU]},
        },
    }]
    policy = _resource(organization_plan, "module.parent.aws_iam_policy.invoke[0]")
    assert json.loads(policy["policy"])["Statement"][0]["Resource"] == [
        "arn:aws:sagemaker:us-east-1:111111111111:endpoint/fraud-model",
        "arn:aws:sagemaker:us-east-1:111111111111:endpoint/Fraud-Model",
    ]


def test_example_reports_the_sizes_it_was_checked_against(organization_plan):
    sizes = organization_plan["planned_values"]["outputs"]["policy_sizes"]["value"]
    role = _resource(organization_plan, "module.parent.aws_iam_role.this[0]")
    assert sizes["trust_policy"] == len(json.dumps(json.loads(role["assume_role_policy"]), separators=(",", ":")))
    assert (sizes["trust_policy_limit"], sizes["invoke_policy_limit"]) == (2048, 6144)


@pytest.fixture(scope="module")
def size_rows() -> dict[int, dict]:
    return {row["consumers"]: row for row in policy_sizes.measure([1, 20, 21, 43, 44, 200])}


def test_organization_trust_policy_does_not_grow_with_consumers(size_rows):
    sizes = {row["organization"] for row in size_rows.values()}
    assert len(sizes) == 1 and sizes.pop() < policy_sizes.DEFAULT_QUOTA, size_rows


def test_per_account_trust_policy_outgrows_the_quotas(size_rows):
    """The measured crossing points that the README's table and the plan-time check rest on."""
    assert size_rows[1]["accounts"] < size_rows[20]["accounts"] <= policy_sizes.DEFAULT_QUOTA < size_rows[21]["accounts"]
    assert size_rows[43]["accounts"] <= policy_sizes.RAISED_QUOTA < size_rows[44]["accounts"]
    assert size_rows[200]["accounts"] > policy_sizes.RAISED_QUOTA
