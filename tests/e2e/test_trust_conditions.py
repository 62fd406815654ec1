"""The parent module's trust conditions, applied and exercised with plain boto3:
external-ID rotation (several accepted) and aws:PrincipalOrgID."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.e2e.helpers import ROOTS, deployed, session_from, settled
from xacct.staging import StagedRoot

pytestmark = pytest.mark.e2e

ORG = "o-aaaaaaaaaa"
CURRENT, PREVIOUS = "ext-current-2", "ext-previous-1"


@pytest.fixture(scope="module")
def trust(target, run_prefix):
    prefix = f"{run_prefix}e-"
    child_id = target.accounts["child"].id
    target.set_organizations({child_id: ORG, target.accounts["parent"].id: ORG})
    root = StagedRoot.folder(ROOTS / "trust-conditions", override=target.provider_override({"parent": "parent", "child": "child"}))
    root.set_vars({"name_prefix": prefix, "child_account_id": child_id, "organization_id": ORG,
                   "external_ids": [CURRENT, PREVIOUS]})
    try:
        with deployed(target, root, prefix) as outputs:
            # The app role, its grant and the parent's trust were created a moment ago.
            settled(target, lambda: _assume(target, outputs, CURRENT))
            yield outputs
    finally:
        target.set_organizations({})


def _as_app(target, app_role_arn: str):
    creds = target.client("sts", "child").assume_role(RoleArn=app_role_arn, RoleSessionName="orders")["Credentials"]
    session = session_from(creds, target.region)
    return target.client("sts", session=session)


def _assume(target, trust, external_id: str):
    return _as_app(target, trust["app_role_arn"]).assume_role(
        RoleArn=trust["parent_role_arn"], RoleSessionName="orders", ExternalId=external_id)


def _denied(call) -> str:
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    return error.value.response["Error"]["Message"]


@pytest.mark.parametrize("external_id", [CURRENT, PREVIOUS])
def test_every_listed_external_id_is_accepted_during_rotation(target, trust, external_id):
    assumed = _assume(target, trust, external_id)
    assert assumed["AssumedRoleUser"]["Arn"].endswith("/orders")


def test_a_retired_external_id_is_denied(target, trust):
    message = _denied(lambda: _assume(target, trust, "ext-retired-0"))
    assert message.endswith(f"is not authorized to perform: sts:AssumeRole on resource: {trust['parent_role_arn']}")


@pytest.mark.parametrize("organizations", [{"child": "o-bbbbbbbbbb"}, {}], ids=["other-organization", "no-organization"])
def test_a_principal_outside_the_organization_is_denied(target, trust, organizations):
    target.set_organizations({target.accounts[k].id: v for k, v in organizations.items()})
    try:
        _denied(lambda: _assume(target, trust, CURRENT))
    finally:
        target.set_organizations({target.accounts["child"].id: ORG, target.accounts["parent"].id: ORG})

