"""A consumer that is not the invoker Lambda: an existing workload role plus modules/assume-grant.

The generated root holds, in the child account, a role standing in for an ECS task role
(`<prefix>orders-task`, trusted by the child account root) and the assume-grant module giving
it sts:AssumeRole on the parent role; in the parent account, an echo endpoint and the parent
module trusting exactly that task role with an external ID. The calls are plain boto3, as the
workload's own code would make them. Teardown destroys the root and requires that nothing
named with the run's prefix is left in any account.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.e2e.helpers import ROOTS, assert_replan_clean, deployed, session_from, settled
from xacct.propagation import eventually_allowed, eventually_denied
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "ext-grant-only-1"
GRANT_POLICY = "AssumeParentSageMakerRole"  # modules/assume-grant's default policy_name

@pytest.fixture(scope="module")
def deployment(target, run_prefix):
    prefix = f"{run_prefix}d-"
    root = StagedRoot.folder(ROOTS / "grant-only-consumer", override=target.provider_override({"parent": "parent", "child": "child"}))
    root.set_vars({"name_prefix": prefix, "external_id": EXTERNAL_ID,
                   "child_account_id": target.accounts["child"].id, "parent_account_id": target.accounts["parent"].id})
    with deployed(target, root, prefix) as outputs:
        deployment = {"root": root, "prefix": prefix, **outputs}
        # The task role, its grant and the parent's trust were created a moment ago.
        settled(target, lambda: _parent_session(target, _task_session(target, deployment), deployment,
                                                ExternalId=EXTERNAL_ID))
        yield deployment


def _task_session(target, deployment) -> boto3.Session:
    """What ECS hands the task: a session of its task role (here the child admin assumes it)."""
    creds = target.client("sts", "child").assume_role(
        RoleArn=deployment["task_role_arn"], RoleSessionName="orders-task")["Credentials"]
    return session_from(creds, target.region)


def _parent_session(target, task: boto3.Session, deployment, **external_id) -> boto3.Session:
    """The workload's own code: assume the parent role from the task role's session."""
    creds = target.client("sts", session=task).assume_role(
        RoleArn=deployment["parent_role_arn"], RoleSessionName="orders", **external_id)["Credentials"]
    return session_from(creds, target.region)


def _denied_message(deployment) -> str:
    return (f"assumed-role/{deployment['task_role_name']}/orders-task is not authorized to perform: "
            f"sts:AssumeRole on resource: {deployment['parent_role_arn']}")


def test_task_role_invokes_the_endpoint_through_the_parent_role(target, deployment):
    target.clear_journal()
    parent = _parent_session(target, _task_session(target, deployment), deployment, ExternalId=EXTERNAL_ID)
    body = json.dumps({"order": 42, "lines": [[1, 9.5]]}).encode()
    answer = target.client("sagemaker-runtime", session=parent).invoke_endpoint(
        EndpointName=deployment["endpoint_name"], Body=body, ContentType="application/json")
    assert answer["Body"].read() == body
    assert answer["ContentType"] == "application/json"
    parent_id = target.accounts["parent"].id
    role_name = deployment["parent_role_arn"].split("/")[-1]
    seen = target.invocations()
    assert len(seen) == 1, seen
    assert seen[0]["caller"] == f"arn:aws:sts::{parent_id}:assumed-role/{role_name}/orders"


@pytest.mark.parametrize("external_id", [{"ExternalId": "ext-wrong-value"}, {}], ids=["wrong", "missing"])
def test_wrong_or_missing_external_id_is_denied(target, deployment, external_id):
    task = _task_session(target, deployment)
    with pytest.raises(ClientError) as error:
        _parent_session(target, task, deployment, **external_id)
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    child_id = target.accounts["child"].id
    assert error.value.response["Error"]["Message"] == f"User: arn:aws:sts::{child_id}:" + _denied_message(deployment)


def test_without_the_grant_the_task_role_is_denied(target, deployment):
    """The parent's trust admits the task role, but cross-account needs its own grant too."""
    iam = target.client("iam", "child")
    role = deployment["task_role_name"]
    document = iam.get_role_policy(RoleName=role, PolicyName=GRANT_POLICY)["PolicyDocument"]
    document = document if isinstance(document, str) else json.dumps(document)
    task = _task_session(target, deployment)
    call = lambda: _parent_session(target, task, deployment, ExternalId=EXTERNAL_ID)  # noqa: E731
    settled(target, call, what="the task role before its grant is removed")
    iam.delete_role_policy(RoleName=role, PolicyName=GRANT_POLICY)
    try:
        # The grant was in effect a moment ago: wait until its removal is (xacct/propagation.py).
        message = eventually_denied(call, expect="is not authorized to perform: sts:AssumeRole",
                                    what="the task role without its grant")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=GRANT_POLICY, PolicyDocument=document)  # so destroy finds it
    assert message.endswith(_denied_message(deployment))
    # Put back, the grant works again from the same task session, once that has propagated.
    parent = eventually_allowed(call, what="the task role with its grant put back")
    answer = target.client("sagemaker-runtime", session=parent).invoke_endpoint(
        EndpointName=deployment["endpoint_name"], Body=b"again", ContentType="text/plain")
    assert answer["Body"].read() == b"again"


def test_the_grant_names_only_the_parent_role(target, deployment):
    iam = target.client("iam", "child")
    document = iam.get_role_policy(RoleName=deployment["task_role_name"], PolicyName=GRANT_POLICY)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    assert document["Statement"] == [{"Sid": "AssumeParentSageMakerRole", "Effect": "Allow",
                                      "Action": "sts:AssumeRole", "Resource": deployment["parent_role_arn"]}]


def test_replan_shows_no_changes(deployment):
    assert_replan_clean(deployment["root"])
