"""Malformed requests to every service the project uses: the emulator answers as AWS does, never with HTML.

AWS's error shapes (AWS Lambda API reference and Amazon SageMaker API reference, "Common
Errors"; AWS STS and IAM API references, "Common Errors"): JSON services answer a JSON
document naming the error in `__type` (and the `x-amzn-ErrorType` header); query services
answer an XML `ErrorResponse` with a `Code`.
"""

from __future__ import annotations

import json

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

from xacct.emulator.client import EmulatorProcess

pytestmark = pytest.mark.emulator  # starts emulator processes

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
JSON_11 = "application/x-amz-json-1.1"

# (signing service or None for unsigned, protocol, method, path, body, headers)
MALFORMED = [
    ("sts", "query", "POST", "/", "Action=NoSuchAction&Version=2011-06-15", FORM),
    ("sts", "query", "POST", "/", "Action=AssumeRole&Version=2011-06-15", FORM),
    ("sts", "query", "POST", "/", "%%%&&==", FORM),
    ("sts", "query", "POST", "/", "Action=AssumeRole&Version=2011-06-15&RoleArn=not-an-arn&RoleSessionName=x", FORM),
    (None, "query", "POST", "/", "Action=AssumeRoleWithWebIdentity&Version=2011-06-15", FORM),
    (None, "query", "POST", "/", "Action=AssumeRoleWithSAML&Version=2011-06-15&SAMLAssertion=%%%", FORM),
    ("iam", "query", "POST", "/", "Action=NoSuchAction&Version=2010-05-08", FORM),
    ("iam", "query", "POST", "/", "Action=PutRolePolicy&Version=2010-05-08&RoleName=none&PolicyName=p&PolicyDocument={", FORM),
    ("lambda", "json", "POST", "/2015-03-31/functions", "not json", {"Content-Type": "application/json"}),
    ("lambda", "json", "POST", "/2015-03-31/functions", "{}", {"Content-Type": "application/json"}),
    ("lambda", "json", "GET", "/2015-03-31/functions/nope/no-such-thing", "", {}),
    ("lambda", "json", "PUT", "/2015-03-31/functions", "[]", {"Content-Type": "application/json"}),
    ("lambda", "json", "POST", "/2015-03-31/functions/%00/invocations", "{}", {}),
    ("lambda", "json", "POST", "/2099-01-01/nothing", "{}", {}),
    ("sagemaker", "json", "POST", "/", "{}", {"X-Amz-Target": "SageMaker.NoSuchOperation", "Content-Type": JSON_11}),
    ("sagemaker", "json", "POST", "/", "not json", {"X-Amz-Target": "SageMaker.CreateEndpoint", "Content-Type": JSON_11}),
    ("sagemaker", "json", "POST", "/", "{}", {"X-Amz-Target": "SageMaker.CreateEndpoint", "Content-Type": JSON_11}),
    ("sagemaker", "json", "POST", "/", "{}", {"X-Amz-Target": "SageMaker.DescribeEndpoint", "Content-Type": JSON_11}),
    ("sagemaker", "json", "POST", "/endpoints//invocations", "{}", {}),
    ("sagemaker", "json", "POST", "/endpoints/no-such-endpoint/invocations", "{}", {}),
    ("sagemaker", "json", "GET", "/endpoints/no-such-endpoint/invocations", "", {}),
    ("sagemaker", "json", "POST", "/endpoints/no-such-endpoint/async-invocations", "{}", {}),
    ("logs", "json", "POST", "/", "{}", {"X-Amz-Target": "Logs_20140328.NoSuchOperation", "Content-Type": JSON_11}),
    ("logs", "json", "POST", "/", "not json", {"X-Amz-Target": "Logs_20140328.CreateLogGroup", "Content-Type": JSON_11}),
    (None, "json", "GET", "/", "", {}),
    (None, "json", "POST", "/", "", {}),
    (None, "json", "GET", "/no/such/path", "", {}),
    (None, "json", "DELETE", "/2015-03-31/functions/x", "", {}),
    (None, "json", "POST", "/endpoints/x/invocations", "{}", {}),
]


@pytest.fixture(scope="module")
def emu():
    with EmulatorProcess() as emulator:
        yield emulator


def send(emu, service, method, path, body, headers) -> requests.Response:
    url = emu.endpoint_url + path
    if service is None:
        return requests.request(method, url, data=body.encode(), headers=headers, timeout=30)
    admin = emu.accounts["child"]
    request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body.encode(), headers=dict(headers))
    credentials = botocore.credentials.Credentials(admin.access_key_id, admin.secret_access_key)
    botocore.auth.SigV4Auth(credentials, service, emu.region).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, data=prepared.body, headers=dict(prepared.headers), timeout=30)


@pytest.mark.parametrize("service, protocol, method, path, body, headers", MALFORMED,
                         ids=[f"{c[0] or 'unsigned'}-{c[2]}-{c[3]}-{c[4][:30]}" for c in MALFORMED])
def test_a_malformed_request_gets_an_aws_shaped_answer(emu, service, protocol, method, path, body, headers):
    response = send(emu, service, method, path, body, headers)
    content_type = response.headers.get("Content-Type", "")
    assert "html" not in content_type.lower(), (response.status_code, content_type, response.text[:300])
    assert not response.text.lstrip().lower().startswith(("<!doctype", "<html")), response.text[:300]
    assert response.status_code >= 400, response.text[:300]
    if protocol == "json":
        error = json.loads(response.text)
        assert error.get("__type") or error.get("Type") or error.get("code"), response.text
        assert content_type.startswith("application/")
    else:
        assert "<Code>" in response.text and content_type == "text/xml", (content_type, response.text)


def test_a_crash_inside_moto_is_the_service_s_own_500(emu):
    """GET / without credentials makes moto fail inside (a KeyError): AWS's 500, not a traceback page."""
    response = requests.get(emu.endpoint_url + "/", timeout=30)
    assert response.status_code == 500
    assert response.headers["x-amzn-ErrorType"] == "InternalFailure"
    assert "see its log" in json.loads(response.text)["message"]


@pytest.fixture(scope="module")
def powerless(emu):
    """A child-account user with no policy at all: every call is denied by moto's own IAM check."""
    iam = emu.client("iam", "child")
    iam.create_user(UserName="powerless")
    key = iam.create_access_key(UserName="powerless")["AccessKey"]
    import boto3

    return boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                         region_name=emu.region)


@pytest.mark.parametrize("service, call", [("lambda", "list_functions"), ("sagemaker", "list_endpoints"),
                                           ("logs", "describe_log_groups"), ("sagemaker", "list_models")])
def test_a_denial_on_a_json_service_is_access_denied_exception(emu, powerless, service, call):
    """botocore reads a JSON service's error code from `__type` / x-amzn-ErrorType; moto's XML
    denial would surface as code "403" (Lambda API reference, "Common Errors": AccessDeniedException)."""
    import botocore.config
    import botocore.exceptions

    client = powerless.client(service, endpoint_url=emu.endpoint_url, config=botocore.config.Config(retries={"max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        getattr(client, call)()
    error = denied.value.response
    assert error["Error"]["Code"] == "AccessDeniedException", error
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/json"
    assert "arn:aws:iam::222222222222:user/powerless is not authorized to perform" in error["Error"]["Message"]


def test_a_denial_on_a_query_service_stays_xml_access_denied(emu, powerless):
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.ClientError) as denied:
        powerless.client("iam", endpoint_url=emu.endpoint_url).list_roles()
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert denied.value.response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "text/xml"
