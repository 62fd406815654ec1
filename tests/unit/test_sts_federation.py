"""STS's unsigned federation calls answer in STS's XML error shape, never an HTML 500.

Specification: AWS STS API Reference, AssumeRoleWithWebIdentity and AssumeRoleWithSAML
(errors: AccessDenied / InvalidIdentityToken ...), and "Common Errors"
(MissingAuthenticationToken).  The emulator keeps no OIDC or SAML identity providers, so
it must never mint credentials from a token or assertion: a role whose trust policy does
not federate is refused as STS refuses it, and a federating one is refused by name.
"""

from __future__ import annotations

import botocore
import botocore.config
import pytest
import requests

from tests.unit.iam_world import account_id, doc, emulator, error_of, make_role, trust_statement

pytestmark = pytest.mark.unit


def unsigned_sts():
    return emulator().session("child").client(
        "sts", endpoint_url=emulator().endpoint_url,
        config=botocore.config.Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def plain_role():
    return make_role("parent", doc(trust_statement({"AWS": f"arn:aws:iam::{account_id('child')}:root"})))


@pytest.fixture(scope="module")
def oidc_role():
    provider = f"arn:aws:iam::{account_id('parent')}:oidc-provider/token.example.com"
    return make_role("parent", doc(trust_statement({"Federated": provider}, "sts:AssumeRoleWithWebIdentity")))


def test_web_identity_on_a_role_that_does_not_federate_is_access_denied(plain_role):
    """AssumeRoleWithWebIdentity: a trust policy without the web identity provider refuses."""
    error = error_of(unsigned_sts().assume_role_with_web_identity, RoleArn=plain_role["Arn"],
                     RoleSessionName="web", WebIdentityToken="x" * 40)
    assert error == {"code": "AccessDenied", "status": 403,
                     "message": "Not authorized to perform sts:AssumeRoleWithWebIdentity"}


def test_saml_on_a_role_that_does_not_federate_is_access_denied(plain_role):
    error = error_of(unsigned_sts().assume_role_with_saml, RoleArn=plain_role["Arn"],
                     PrincipalArn=f"arn:aws:iam::{account_id('parent')}:saml-provider/idp",
                     SAMLAssertion="x" * 40)
    assert error == {"code": "AccessDenied", "status": 403, "message": "Not authorized to perform sts:AssumeRoleWithSAML"}


def test_web_identity_on_a_federating_role_is_refused_by_name(oidc_role):
    """The emulator cannot verify tokens, so it names the unsupported feature rather than
    minting credentials (moto would mint them for any role)."""
    error = error_of(unsigned_sts().assume_role_with_web_identity, RoleArn=oidc_role["Arn"],
                     RoleSessionName="web", WebIdentityToken="x" * 40)
    assert error["code"] == "NotImplemented" and error["status"] == 501
    assert error["message"] == ("The emulator keeps no identity providers and does not verify web identity (OIDC) "
                                "tokens: sts:AssumeRoleWithWebIdentity is not supported")


def test_no_html_in_federation_answers(plain_role):
    response = requests.post(emulator().endpoint_url + "/", timeout=10, data={
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": plain_role["Arn"],
        "RoleSessionName": "web", "WebIdentityToken": "x" * 40})
    assert response.status_code == 403
    assert response.text.startswith("<ErrorResponse") and "<html" not in response.text.lower()
