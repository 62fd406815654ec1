"""examples/organization applied: the parent trusts one invoker role name in every member
account of an organization, with no per-account list.

The emulator's organizations setting puts the child account in the organization; the
consumer's roles are created there with plain boto3 (a member account's own baseline).
aws:PrincipalOrgID is the organization of the calling principal's account (IAM User Guide,
"AWS global condition context keys"); ArnLike on aws:PrincipalArn compares the role's ARN.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.conftest import DEMO_MODEL_IMAGE
from tests.e2e.helpers import assume, canary, deployed, session_from, settled
from xacct.propagation import eventually_denied
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

ORG = "o-cccccccccc"
EXTERNAL_ID = "ext-org-wide-1"


def _create_consumer_role(iam, account_id: str, name: str, parent_role_arn: str, canary_arn: str) -> str:
    """A role of the member account, assumable by its administrators, granted the parent role
    (and a canary role, which shows when that grant is in effect: tests/e2e/helpers.py)."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}}]}
    grant = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [parent_role_arn, canary_arn]}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="assume-parent", PolicyDocument=json.dumps(grant))
    return arn


def _delete_role(iam, name: str) -> None:
    try:
        iam.delete_role_policy(RoleName=name, PolicyName="assume-parent")
        iam.delete_role(RoleName=name)
    except iam.exceptions.NoSuchEntityException:
        pass


@pytest.fixture(scope="module")
def org(target, run_prefix):
    prefix = f"{run_prefix}o-"
    parent_id, child_id = target.accounts["parent"].id, target.accounts["child"].id
    target.set_organizations({parent_id: ORG, child_id: ORG})
    root = StagedRoot.example("organization", override=target.provider_override({"": "parent"}))
    root.set_vars({"name_prefix": prefix, "organization_id": ORG, "external_ids": [EXTERNAL_ID],
                   "create_demo_endpoint": True, "demo_endpoint_name": f"{prefix}org-echo",
                   "demo_model_image": DEMO_MODEL_IMAGE})
    iam = target.client("iam", "child")
    invoker, outsider = f"{prefix}sagemaker-invoker-exec", f"{prefix}reporting-exec"
    try:
        with deployed(target, root, prefix) as outputs, canary(target, f"{prefix}canary") as canary_arn:
            try:
                roles = {name: _create_consumer_role(iam, child_id, name, outputs["role_arn"], canary_arn)
                         for name in (invoker, outsider)}
                org = {**outputs, "invoker_role_arn": roles[invoker], "outsider_role_arn": roles[outsider],
                       "canary_arn": canary_arn}
                # The consumer roles and the parent's trust were created a moment ago.
                settled(target, lambda: _assume_parent(target, org, roles[invoker], ExternalId=EXTERNAL_ID),
                        lambda: _consumer_session(target, roles[outsider]))
                yield org
            finally:
                for name in (invoker, outsider):
                    _delete_role(iam, name)
    finally:
        target.set_organizations({})


def _consumer_session(target, consumer_role_arn: str):
    consumer = target.client("sts", "child").assume_role(RoleArn=consumer_role_arn, RoleSessionName="scoring")
    return session_from(consumer["Credentials"], target.region)


def _assume_parent(target, org, consumer_role_arn: str, **external_id):
    sts = target.client("sts", session=_consumer_session(target, consumer_role_arn))
    answer = sts.assume_role(RoleArn=org["role_arn"], RoleSessionName="scoring", **external_id)
    return session_from(answer["Credentials"], target.region)


def _denied(target, org, consumer_role_arn: str, **external_id) -> str:
    with pytest.raises(ClientError) as error:
        _assume_parent(target, org, consumer_role_arn, **external_id)
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    return error.value.response["Error"]["Message"]


def test_trust_policy_names_no_account(org):
    assert org["policy_sizes"]["trust_policy"] < 2048
    assert org["endpoint_names"] == [org["endpoint_arns"][0].split("/")[-1]]


def test_the_invoker_role_of_a_member_account_invokes(target, org):
    target.clear_journal()
    parent = _assume_parent(target, org, org["invoker_role_arn"], ExternalId=EXTERNAL_ID)
    body = json.dumps({"order": 7}).encode()
    answer = target.client("sagemaker-runtime", session=parent).invoke_endpoint(
        EndpointName=org["endpoint_names"][0], Body=body, ContentType="application/json")
    assert answer["Body"].read() == body
    role_name = org["role_arn"].split("/")[-1]
    assert target.invocations()[-1]["caller"] == (
        f"arn:aws:sts::{target.accounts['parent'].id}:assumed-role/{role_name}/scoring")


def test_a_role_outside_the_pattern_is_denied_even_with_grant_and_external_id(target, org):
    session = _consumer_session(target, org["outsider_role_arn"])
    # Denied by the trust's pattern, once the outsider's grant is shown in effect (the canary).
    message = eventually_denied(assume(target, session, org["role_arn"], "scoring", ExternalId=EXTERNAL_ID),
                                expect="is not authorized to perform: sts:AssumeRole",
                                controls=[assume(target, session, org["canary_arn"])], what="a role outside the pattern")
    outsider = org["outsider_role_arn"].split("/")[-1]
    assert message.startswith(f"User: arn:aws:sts::{target.accounts['child'].id}:assumed-role/{outsider}/scoring ")
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {org['role_arn']}")


@pytest.mark.parametrize("external_id", [{"ExternalId": "ext-wrong-1"}, {}], ids=["wrong", "missing"])
def test_the_external_id_is_still_required(target, org, external_id):
    message = _denied(target, org, org["invoker_role_arn"], **external_id)
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {org['role_arn']}")


@pytest.mark.parametrize("child_org", ["o-dddddddddd", None], ids=["other-organization", "no-organization"])
def test_the_same_role_name_outside_the_organization_is_denied(target, org, child_org):
    parent_id, child_id = target.accounts["parent"].id, target.accounts["child"].id
    target.set_organizations({parent_id: ORG, child_id: child_org})
    try:
        message = _denied(target, org, org["invoker_role_arn"], ExternalId=EXTERNAL_ID)
    finally:
        target.set_organizations({parent_id: ORG, child_id: ORG})
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {org['role_arn']}")
