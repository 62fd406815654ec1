"""The parent-account and child-account examples: two roots, each applied on its own.

The parent root is applied with the parent account's credentials only, the child root with
the child account's only; they exchange nothing but the parent's outputs (role_arn,
endpoint_names) and the shared external ID, as two pipelines would. Teardown runs in
reverse order (child, then parent), attempts each destroy whatever happened to the other,
and then requires that nothing named with the run's prefix is left in any account.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEMO_MODEL_IMAGE, TEST_RUNTIME
from tests.e2e.helpers import assert_replan_clean, invoke, leftovers, settled
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-account-roots-1"  # stands in for the value both pipelines read from a secret store
FUNCTION_NAME = "sagemaker-invoker"


@pytest.fixture(scope="module")
def deployment(target, run_prefix):
    prefix = f"{run_prefix}b-"
    child_id = target.accounts["child"].id
    roots: list[StagedRoot] = []  # in apply order; torn down in reverse
    try:
        # --- the ML platform pipeline: parent account credentials only ---------------------
        parent = StagedRoot.example("parent-account", override=target.provider_override({"": "parent"}))
        roots.append(parent)
        parent.set_vars({
            "name_prefix": prefix,
            "trusted_account_ids": [child_id],
            # The name the child root will give its Lambda's execution role.
            "trusted_principal_arn_patterns": [f"arn:aws:iam::{child_id}:role/{prefix}{FUNCTION_NAME}-exec"],
            "external_ids": [EXTERNAL_ID],
            "create_demo_endpoint": True,
            "demo_endpoint_name": f"{prefix}Echo-Endpoint",
            "demo_model_image": DEMO_MODEL_IMAGE,
        })
        parent.init()
        parent.apply()
        parent_outputs = parent.outputs()

        # --- the consuming team's pipeline: child account credentials only -----------------
        child = StagedRoot.example("child-account", override=target.provider_override({"": "child"}))
        roots.append(child)
        child.set_vars({
            "name_prefix": prefix,
            "function_name": FUNCTION_NAME,
            "parent_role_arn": parent_outputs["role_arn"],
            "endpoint_names": parent_outputs["endpoint_names"],
            "external_id": EXTERNAL_ID,
            "lambda_runtime": TEST_RUNTIME,
        })
        child.init()
        child.apply()
        child_outputs = child.outputs()
        # The execution role, its grant and the parent's trust were created a moment ago.
        settled(target, lambda: invoke(target, child_outputs["function_name"], {"body": "ready", "content_type": "text/plain"}))
        yield {"prefix": prefix, "parent": parent, "child": child,
               "parent_outputs": parent_outputs, "child_outputs": child_outputs}
    finally:
        failures = []
        for root in reversed(roots):
            try:
                root.close()
            except Exception as failure:  # noqa: BLE001 - the other root is destroyed regardless
                failures.append(f"{root.dir.name}: {failure}")
        left = leftovers(target, prefix)
        assert not failures and not left, f"teardown failed: {failures}; left behind: {left}"


def test_parent_outputs_are_what_the_child_needs(target, deployment):
    outputs = deployment["parent_outputs"]
    parent_id = target.accounts["parent"].id
    assert outputs["role_arn"] == f"arn:aws:iam::{parent_id}:role/{deployment['prefix']}SageMakerExternal"
    assert outputs["endpoint_names"] == [f"{deployment['prefix']}Echo-Endpoint"]
    # A mixed-case name is granted lower-cased and as written (modules/parent/README.md explains why).
    endpoints = f"arn:aws:sagemaker:{target.region}:{parent_id}:endpoint/"
    assert outputs["endpoint_arns"] == [f"{endpoints}{deployment['prefix'].lower()}echo-endpoint",
                                        f"{endpoints}{deployment['prefix']}Echo-Endpoint"]


def test_child_execution_role_matches_the_parents_trust_pattern(target, deployment):
    child_id = target.accounts["child"].id
    assert deployment["child_outputs"]["execution_role_arn"] == (
        f"arn:aws:iam::{child_id}:role/{deployment['prefix']}{FUNCTION_NAME}-exec")


def test_each_root_holds_only_its_own_account(deployment):
    parent_state = deployment["parent"].state_list()
    child_state = deployment["child"].state_list()
    assert any(a.startswith("module.parent.") for a in parent_state), parent_state
    assert not any(a.startswith("module.child.") for a in parent_state), parent_state
    assert any(a.startswith("module.child.") for a in child_state), child_state
    assert not any(a.startswith(("module.parent.", "module.demo_endpoint")) for a in child_state), child_state


def test_json_body_comes_back_through_the_parent_role(target, deployment):
    target.clear_journal()
    endpoint = deployment["parent_outputs"]["endpoint_names"][0]
    result = invoke(target, deployment["child_outputs"]["function_name"],
                    {"endpoint": endpoint, "body": {"rows": [[1, 2.5, "x"]]}, "custom_attributes": "trace-id=roots"})
    assert result["statusCode"] == 200, result
    assert result["body"] == '{"rows":[[1,2.5,"x"]]}'
    assert result["contentType"] == "application/json"
    assert result["customAttributes"] == "trace-id=roots"  # the echo model sends them back
    parent_id = target.accounts["parent"].id
    role_name = deployment["parent_outputs"]["role_arn"].split("/")[-1]
    seen = target.invocations()
    assert len(seen) == 1, seen
    assert seen[0]["account"] == parent_id
    assert seen[0]["caller"].startswith(f"arn:aws:sts::{parent_id}:assumed-role/{role_name}/")


def test_wrong_external_id_is_denied(target, deployment):
    lam = target.client("lambda", "child")
    name = deployment["child_outputs"]["function_name"]
    original = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {**original, "EXTERNAL_ID": "ext-wrong"}})
    try:
        result = invoke(target, name, {"body": "x"})
    finally:
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": original})
    assert result["statusCode"] == 403, result
    assert result["error"]["code"] == "AccessDenied"
    assert result["error"]["message"].endswith(
        f"is not authorized to perform: sts:AssumeRole on resource: {deployment['parent_outputs']['role_arn']}")


@pytest.mark.parametrize("which", ["parent", "child"])
def test_replan_of_each_root_shows_no_changes(deployment, which):
    assert_replan_clean(deployment[which])


def test_trust_policy_names_the_child_pattern_and_external_id(target, deployment):
    role_name = deployment["parent_outputs"]["role_arn"].split("/")[-1]
    document = target.client("iam", "parent").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    condition = document["Statement"][0]["Condition"]
    child_id = target.accounts["child"].id
    assert condition["StringEquals"]["sts:ExternalId"] in (EXTERNAL_ID, [EXTERNAL_ID])
    patterns = condition["ArnLike"]["aws:PrincipalArn"]
    assert (patterns if isinstance(patterns, list) else [patterns]) == [deployment["child_outputs"]["execution_role_arn"]]
    principals = document["Statement"][0]["Principal"]["AWS"]
    assert (principals if isinstance(principals, list) else [principals]) == [f"arn:aws:iam::{child_id}:root"]
