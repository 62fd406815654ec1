"""The multi-child example: one parent role trusted by several consumers of the child account.

Each child's Lambda reaches the endpoint as its own parent-role session; a principal outside
the trust (another account, or another role of the child account holding a grant and the
right external ID) is denied. Teardown destroys the root and requires that nothing named
with the run's prefix is left in any account.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import DEMO_MODEL_IMAGE, TEST_RUNTIME
from tests.e2e.helpers import assert_replan_clean, assume, canary, deployed, invoke, session_from, settled
from xacct.propagation import eventually_allowed, eventually_denied
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-multi-child-1"
CHILDREN = ["team-a", "team-b"]


@pytest.fixture(scope="module")
def deployment(target, run_prefix):
    prefix = f"{run_prefix}c-"
    root = StagedRoot.example("multi-child", override=target.provider_override({"parent": "parent", "child": "child"}))
    root.set_vars({
        "name_prefix": prefix,
        "external_id": EXTERNAL_ID,
        "children": CHILDREN,
        "create_demo_endpoint": True,
        "demo_endpoint_name": f"{prefix}echo",
        "demo_model_image": DEMO_MODEL_IMAGE,
        "lambda_runtime": TEST_RUNTIME,
    })
    with deployed(target, root, prefix) as outputs:
        # Each child's execution role, its grant and the parent's trust were created a moment ago.
        settled(target, *[lambda name=name: invoke(target, name, {"body": "ready", "content_type": "text/plain"})
                          for name in outputs["function_names"].values()])
        yield {"root": root, "prefix": prefix, **outputs}


def test_one_lambda_and_one_trusted_pattern_per_child(target, deployment):
    child_id = target.accounts["child"].id
    prefix = deployment["prefix"]
    assert deployment["function_names"] == {c: f"{prefix}{c}-sagemaker-invoker" for c in CHILDREN}
    expected_roles = {c: f"arn:aws:iam::{child_id}:role/{prefix}{c}-sagemaker-invoker-exec" for c in CHILDREN}
    assert deployment["execution_role_arns"] == expected_roles
    role_name = deployment["parent_role_arn"].split("/")[-1]
    document = target.client("iam", "parent").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    patterns = document["Statement"][0]["Condition"]["ArnLike"]["aws:PrincipalArn"]
    assert sorted(patterns if isinstance(patterns, list) else [patterns]) == sorted(expected_roles.values())


@pytest.mark.parametrize("child", CHILDREN)
def test_each_child_reaches_the_endpoint_as_its_own_session(target, deployment, child):
    target.clear_journal()
    function_name = deployment["function_names"][child]
    body = {"from": child, "rows": [[1, 2]]}
    result = invoke(target, function_name, {"endpoint": deployment["endpoint_names"][0], "body": body})
    assert result["statusCode"] == 200, result
    assert json.loads(result["body"]) == body
    parent_id = target.accounts["parent"].id
    role_name = deployment["parent_role_arn"].split("/")[-1]
    seen = target.invocations()
    assert len(seen) == 1, seen
    # The Lambda names its session after the function, so each child is told apart in the parent's logs.
    assert seen[0]["caller"] == f"arn:aws:sts::{parent_id}:assumed-role/{role_name}/{function_name}"


def test_children_are_different_callers(target, deployment):
    target.clear_journal()
    for child in CHILDREN:
        result = invoke(target, deployment["function_names"][child], {"body": child, "content_type": "text/plain"})
        assert result["statusCode"] == 200, result
        assert result["body"] == child
    callers = [entry["caller"] for entry in target.invocations()]
    assert len(callers) == len(CHILDREN) and len(set(callers)) == len(CHILDREN), callers


def test_replan_shows_no_changes(deployment):
    assert_replan_clean(deployment["root"])


def test_a_third_role_of_the_child_account_is_denied_by_the_trust(target, deployment):
    """A Lambda-like role not in the pattern list: its own grant and the right external ID are not enough."""
    iam = target.client("iam", "child")
    child_id = target.accounts["child"].id
    name = f"{deployment['prefix']}team-c-sagemaker-invoker-exec"
    with canary(target, f"{deployment['prefix']}team-c-canary") as canary_arn:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child_id}:root"}}]}))
        try:
            iam.put_role_policy(RoleName=name, PolicyName="AssumeParentSageMakerRole", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [deployment["parent_role_arn"], canary_arn]}]}))
            creds = eventually_allowed(lambda: target.client("sts", "child").assume_role(
                RoleArn=f"arn:aws:iam::{child_id}:role/{name}", RoleSessionName="team-c"), what="the third role")["Credentials"]
            session = session_from(creds, target.region)
            # Denied by the trust pattern, once its grant is shown in effect (the canary).
            message = eventually_denied(assume(target, session, deployment["parent_role_arn"], ExternalId=EXTERNAL_ID),
                                        expect="is not authorized to perform: sts:AssumeRole",
                                        controls=[assume(target, session, canary_arn)], what="a role outside the pattern")
            assert message == (
                f"User: arn:aws:sts::{child_id}:assumed-role/{name}/team-c is not authorized to perform: "
                f"sts:AssumeRole on resource: {deployment['parent_role_arn']}")
        finally:
            for cleanup in (lambda: iam.delete_role_policy(RoleName=name, PolicyName="AssumeParentSageMakerRole"),
                            lambda: iam.delete_role(RoleName=name)):
                try:
                    cleanup()
                except ClientError as failure:  # already gone (put_role_policy failed): nothing to undo
                    if failure.response["Error"]["Code"] != "NoSuchEntity":
                        raise


def test_the_same_role_with_a_trusted_childs_name_would_be_admitted(target, deployment):
    """Control for the test above: the denial is the trust pattern, not the probe's set-up."""
    iam = target.client("iam", "child")
    child_id = target.accounts["child"].id
    role_arn = deployment["execution_role_arns"][CHILDREN[0]]
    name = role_arn.split("/")[-1]
    original = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    original = original if isinstance(original, str) else json.dumps(original)
    widened = json.loads(original)
    widened["Statement"].append({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child_id}:root"}})
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(widened))
    try:
        creds = eventually_allowed(assume(target, target.session("child"), role_arn),
                                   what="the widened execution role trust")["Credentials"]
        sts = target.client("sts", session=session_from(creds, target.region))
        parent = sts.assume_role(RoleArn=deployment["parent_role_arn"], RoleSessionName="probe", ExternalId=EXTERNAL_ID)
    finally:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=original)
    assert parent["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/{deployment['parent_role_arn'].split('/')[-1]}/probe")
