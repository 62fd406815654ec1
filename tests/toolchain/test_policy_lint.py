"""Every policy the modules produce passes parliament's IAM catalogue checks.

parliament audits actions, resource ARN formats and condition keys against AWS's service
definitions (the Service Authorization Reference); IAM Access Analyzer's policy validation
does the same job in AWS. The `static` tests lint the recorded plan inventories and seeded
mistakes; the `plan` tests lint fresh plans of the examples (each module case is linted where
its inventory test plans it, tests/plan/test_module_plans.py).
"""

from __future__ import annotations

import json

import pytest

from xacct.checks import policy_lint
from xacct.checks.policy_lint import Policy
from xacct.staging import StagedRoot

ENDPOINT = "arn:aws:sagemaker:us-east-1:111111111111:endpoint/echo"
IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1"
# The offline provider (hashicorp/aws 3.39) accepts Lambda runtimes up to python3.8.
RUNTIME = "python3.8"


def seeded(statement: dict, attribute: str = "policy") -> Policy:
    return Policy("seeded", "aws_iam_policy.seeded", attribute, {"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.static
@pytest.mark.parametrize("statement, issue, detail", [
    ({"Effect": "Allow", "Action": "sagemaker:InvokeEndpoints", "Resource": ENDPOINT},
     "UNKNOWN_ACTION", "Unknown action sagemaker:InvokeEndpoints"),
    ({"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": ENDPOINT,
      "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}}},
     "UNKNOWN_CONDITION_FOR_ACTION", "Unknown condition sts:ExternalId for action sagemaker:InvokeEndpoint"),
    ({"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": ENDPOINT.replace("endpoint/", "model/")},
     "RESOURCE_MISMATCH", "arn:*:sagemaker:*:*:endpoint/*"),
], ids=["action-that-does-not-exist", "condition-key-that-does-not-apply", "resource-of-another-type"])
def test_seeded_mistakes_are_caught(statement, issue, detail):
    findings = policy_lint.lint([seeded(statement)])
    assert [f.issue for f in findings] == [issue]
    assert detail in findings[0].detail
    assert policy_lint.unjustified(findings, policy_lint.load_justifications()) == findings


@pytest.mark.static
def test_trust_policies_are_checked_not_skipped():
    """Without a Resource, parliament stops at MALFORMED; linted as the role's policy it checks the keys."""
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                 "Condition": {"StringEquals": {"sagemaker:TargetModel": "m"}}}
    findings = policy_lint.lint([seeded(statement, "assume_role_policy")])
    assert [(f.issue, f.detail) for f in findings] == [
        ("UNKNOWN_CONDITION_FOR_ACTION", '"Unknown condition sagemaker:TargetModel for action sts:AssumeRole"')]
    statement["Condition"] = {"StringEquals": {"sts:ExternalId": "ext-1", "aws:PrincipalOrgID": "o-abcdef1234"}}
    assert policy_lint.lint([seeded(statement, "assume_role_policy")]) == []


@pytest.mark.static
def test_justifications_have_reasons_and_only_cover_their_finding():
    justifications = policy_lint.load_justifications()
    assert justifications and all(j.reason.strip() for j in justifications)
    star = {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface", "Resource": "*"}
    elsewhere = policy_lint.lint([seeded(star)])  # same issue, another resource: not covered
    assert [f.issue for f in elsewhere] == ["RESOURCE_STAR"]
    assert policy_lint.unjustified(elsewhere, justifications) == elsewhere


@pytest.mark.static
def test_recorded_plan_inventories_lint_clean():
    policies = policy_lint.recorded_policies()
    assert len(policies) >= 10, "the inventories hold the modules' policies; the reader is probably broken"
    findings = policy_lint.lint(policies)
    assert [str(f) for f in policy_lint.unjustified(findings, policy_lint.load_justifications())] == []


# --- fresh plans -------------------------------------------------------------------------------

def plan_policies(root: StagedRoot, where: str) -> list[Policy]:
    root.tf.execute_command("plan", "-input=false", "-no-color", "-out=lint.plan")
    return policy_lint.policies_in_plan(where, json.loads(root.tf.execute_command("show", "-json", "lint.plan").out))


def example_inputs(target) -> dict[str, tuple[dict, dict]]:
    """Each example's inputs and which emulator account backs each provider alias."""
    child_id = target.accounts["child"].id
    both = {"parent": "parent", "child": "child"}
    endpoint = {"create_demo_endpoint": True, "demo_model_image": IMAGE}
    return {
        "two-accounts": ({"external_id": "ext-lint-1", "lambda_runtime": RUNTIME, "name_prefix": "lint-", **endpoint}, both),
        "multi-child": ({"external_id": "ext-lint-1", "children": ["team-a", "team-b"], "lambda_runtime": RUNTIME,
                         "name_prefix": "lint-", **endpoint}, both),
        "parent-account": ({"trusted_account_ids": [child_id], "external_ids": ["ext-lint-1"], "name_prefix": "lint-",
                            "trusted_principal_arn_patterns": [f"arn:aws:iam::{child_id}:role/lint-*"], **endpoint},
                           {"": "parent"}),
        "child-account": ({"parent_role_arn": f"arn:aws:iam::{target.accounts['parent'].id}:role/lint-invoker",
                           "external_id": "ext-lint-1", "endpoint_names": ["echo"], "lambda_runtime": RUNTIME,
                           "name_prefix": "lint-"}, {"": "child"}),
    }


def example_policies(target) -> list[Policy]:
    policies = []
    for example, (inputs, accounts) in example_inputs(target).items():
        with StagedRoot.example(example, override=target.provider_override(accounts)) as root:
            root.set_vars(inputs)
            root.init()
            policies += plan_policies(root, f"examples/{example}")
    return policies


@pytest.mark.plan
def test_every_planned_policy_lints_clean(target):
    """The examples planned afresh, beside the recorded case inventories.

    Each module case's fresh plan is linted where it is planned (tests/plan/test_module_plans.py);
    its inventory is kept equal to that plan, so a justification is "used" when a finding in
    the inventories or the examples needs it.
    """
    policies = policy_lint.recorded_policies() + example_policies(target)
    wheres = {p.where.split("/")[0] for p in policies}
    assert {"parent", "child", "assume-grant", "examples"} <= wheres, wheres
    kinds = {(p.address.split(".")[-2].split("[")[0] if "." in p.address else p.address, p.attribute) for p in policies}
    assert ("aws_iam_role", "assume_role_policy") in kinds and ("aws_iam_policy", "policy") in kinds, kinds
    findings = policy_lint.lint(policies)
    justifications = policy_lint.load_justifications()
    assert [str(f) for f in policy_lint.unjustified(findings, justifications)] == []
    assert policy_lint.unused(findings, justifications) == [], "a justification matches no finding: remove it"
