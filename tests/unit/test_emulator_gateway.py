"""The WSGI gateway in front of moto, exercised without a server: every answer AWS-shaped, no CORS.

AWS's error shapes: JSON services answer `{"__type": CODE, "message": ...}` with the
`x-amzn-ErrorType` header; query services (STS, IAM) answer an `<ErrorResponse>` XML
document (AWS Lambda API reference "Common Errors"; AWS STS API reference "Common Errors").
"""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from xacct.emulator.gateway import Gateway, allowed_hosts, protocol_of

pytestmark = pytest.mark.unit

PORT = 4566
HOST = f"127.0.0.1:{PORT}"


def signed_as(service: str) -> dict[str, str]:
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/us-east-1/{service}/aws4_request, "
                             "SignedHeaders=host, Signature=0"}


def gateway_around(app) -> Client:
    control = Response("control", content_type="text/plain")
    return Client(Gateway(app, control, allowed_hosts(PORT), log=open("/dev/null", "w")))


def crashing(environ, start_response):
    raise KeyError("inside moto")


def html_page(status: int):
    return Response(f"<!doctype html><html><title>{status}</title><p>Something went wrong</p></html>",
                    status=status, content_type="text/html; charset=utf-8")


def test_protocol_follows_the_signing_service():
    assert protocol_of({"HTTP_AUTHORIZATION": signed_as("sts")["Authorization"]}) == "query"
    assert protocol_of({"HTTP_AUTHORIZATION": signed_as("iam")["Authorization"]}) == "query"
    assert protocol_of({"HTTP_AUTHORIZATION": signed_as("lambda")["Authorization"]}) == "json"
    assert protocol_of({"HTTP_AUTHORIZATION": signed_as("sagemaker")["Authorization"]}) == "json"
    assert protocol_of({"CONTENT_TYPE": "application/x-www-form-urlencoded"}) == "query"


@pytest.mark.parametrize("service, code", [("lambda", "ServiceException"), ("sagemaker", "InternalFailure"),
                                           ("logs", "InternalFailure")])
def test_an_exception_on_a_json_service_is_its_json_500(service, code):
    response = gateway_around(crashing).post("/anything", headers={"Host": HOST, **signed_as(service)})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-ErrorType"] == code
    body = json.loads(response.get_data())
    assert body["__type"] == code and "KeyError" in body["message"]


@pytest.mark.parametrize("service", ["sts", "iam"])
def test_an_exception_on_a_query_service_is_its_xml_500(service):
    response = gateway_around(crashing).post("/", headers={"Host": HOST, **signed_as(service)})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml"
    text = response.get_data(as_text=True)
    assert "<Code>InternalFailure</Code>" in text and "<Type>Receiver</Type>" in text


@pytest.mark.parametrize("status, json_code", [(404, "UnknownOperationException"), (405, "UnknownOperationException"),
                                               (400, "ValidationException"), (500, "ServiceException")])
def test_an_html_page_becomes_an_aws_error(status, json_code):
    response = gateway_around(html_page(status)).get("/2015-03-31/functions", headers={"Host": HOST, **signed_as("lambda")})
    assert response.status_code == status
    assert "html" not in response.headers["Content-Type"]
    assert json.loads(response.get_data())["__type"] == json_code


def test_an_html_page_on_a_query_service_becomes_xml():
    response = gateway_around(html_page(404)).post("/", headers={"Host": HOST, **signed_as("sts")})
    assert response.headers["Content-Type"] == "text/xml"
    assert "<Code>InvalidAction</Code>" in response.get_data(as_text=True)


def test_an_xml_denial_on_a_json_service_becomes_json():
    """moto's own IAM denials are XML; botocore would report code "403" on a JSON service."""
    xml = Response('<?xml version="1.0"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code>'
                   "<Message>User: arn:aws:iam::1:user/x is not authorized to perform: lambda:ListFunctions</Message>"
                   "</Error></Errors></ErrorResponse>", status=403, content_type="text/html")
    response = gateway_around(xml).get("/2015-03-31/functions/", headers={"Host": HOST, **signed_as("lambda")})
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert json.loads(response.get_data()) == {
        "__type": "AccessDeniedException",
        "message": "User: arn:aws:iam::1:user/x is not authorized to perform: lambda:ListFunctions"}


def test_an_xml_error_on_a_query_service_keeps_its_body_and_gets_an_xml_content_type():
    xml = Response("<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></ErrorResponse>",
                   status=403, content_type="text/html")
    response = gateway_around(xml).post("/", headers={"Host": HOST, **signed_as("sts")})
    assert response.headers["Content-Type"] == "text/xml"
    assert "<Code>InvalidClientTokenId</Code>" in response.get_data(as_text=True)


def test_cors_headers_never_leave():
    reflecting = Response("{}", content_type="application/json",
                          headers={"Access-Control-Allow-Origin": "http://evil.example",
                                   "Access-Control-Allow-Credentials": "true", "access-control-expose-headers": "*"})
    response = gateway_around(reflecting).get("/", headers={"Host": HOST, "Origin": "http://evil.example"})
    assert response.status_code == 200
    assert not [k for k in response.headers.keys() if k.lower().startswith("access-control-")]


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:1", f"127.0.0.2:{PORT}", "",
                                  f"localhost.evil.example:{PORT}"])
def test_a_foreign_host_header_is_refused_before_anything_runs(host):
    ran = []

    def app(environ, start_response):
        ran.append(environ["PATH_INFO"])
        return Response("{}")(environ, start_response)

    response = gateway_around(app).get("/_emulator/journal", headers={"Host": host})
    assert response.status_code == 400
    assert json.loads(response.get_data())["__type"] == "InvalidHostHeader"
    assert ran == []


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}"])
def test_loopback_host_headers_with_the_port_are_served(host):
    response = gateway_around(Response("{}", content_type="application/json")).get("/", headers={"Host": host})
    assert response.status_code == 200


@pytest.mark.parametrize("status, body", [(200, b'{"Functions": []}'), (404, b'{"__type": "ResourceNotFoundException", "message": "x"}')])
def test_json_that_moto_labels_html_is_relabelled_and_kept(status, body):
    labelled = Response(body, status=status, content_type="text/html; charset=utf-8")
    response = gateway_around(labelled).get("/2015-03-31/functions", headers={"Host": HOST, **signed_as("lambda")})
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_data() == body


def test_a_model_answer_is_passed_through_whatever_its_type():
    """The echo endpoint answers with the request's content type, HTML included: that is the model's answer."""
    page = b"<!doctype html><html><p>model output</p></html>"
    echoed = Response(page, status=200, content_type="text/html")
    response = gateway_around(echoed).post("/endpoints/e/invocations", headers={"Host": HOST, **signed_as("sagemaker")})
    assert response.status_code == 200 and response.get_data() == page


def test_query_parameters_split_between_url_and_body_are_refused():
    """moto's IAM check reads the URL's parameters when there are any, STS reads both: a RoleArn in
    the URL and a RoleSessionName in the body would be decided on one request and served as another."""
    ran = []

    def app(environ, start_response):
        ran.append(1)
        return Response("<ok/>")(environ, start_response)

    client = gateway_around(app)
    headers = {"Host": HOST, **signed_as("sts"), "Content-Type": "application/x-www-form-urlencoded"}
    mixed = client.post("/?Action=AssumeRole&RoleArn=arn:aws:iam::1:role/r", data="RoleSessionName=admin", headers=headers)
    assert mixed.status_code == 400
    assert "<Code>InvalidParameterCombination</Code>" in mixed.get_data(as_text=True)
    assert ran == []
    assert client.post("/", data="Action=AssumeRole&RoleSessionName=admin", headers=headers).status_code == 200
    assert client.post("/?Action=GetCallerIdentity", headers=headers).status_code == 200
