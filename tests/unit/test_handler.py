"""Unit tests for the invoker Lambda (lambda_src/sagemaker_invoker).

How AWS is faked (see tests/unit/fakes.py for why not Stubber): ``FakeAws``
registers ``before-send`` hooks on the real STS and sagemaker-runtime clients
the package creates and keeps per container, and answers with HTTP responses
in each service's wire format. botocore then parses them, raises ClientError,
applies "standard" retries and re-signs every attempt, just as against AWS;
the hooks see each signed request (which key signed it, which headers and
body were sent).

A guard makes any real HTTP send fail the test, and botocore's retry sleep is
recorded instead of slept.

Run: PYTHONPATH=lambda_src:. python -m pytest tests/unit/test_handler.py
(pyproject.toml sets pythonpath = ["lambda_src", "."]).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import types
import urllib.parse

import botocore.endpoint
import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

from sagemaker_invoker import config, handler, parent_access
from tests.unit.fakes import (  # noqa: F401  (lambda_env and no_network are autouse fixtures)
    ENDPOINT,
    EXEC_KEY,
    EXEC_SECRET,
    EXTERNAL_ID,
    FUNCTION_NAME,
    REGION,
    ROLE_ARN,
    assume_role_xml,
    header,
    lambda_env,
    no_network,
    response,
    signing_key,
)

pytestmark = pytest.mark.unit

MIB6 = 6 * 1024 * 1024


# ---------------------------------------------------------------------------
# Wire-format responses


def _now():
    return dt.datetime.now(dt.timezone.utc)


def sts_ok(key_id, expires_in):
    """AssumeRole success (STS speaks the query protocol: XML)."""
    expiration = (_now() + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ")
    return 200, {"Content-Type": "text/xml"}, assume_role_xml(key_id, expiration)


def sts_error(code, message, status):
    body = f"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>sts-error-1</RequestId>
</ErrorResponse>"""
    return status, {"Content-Type": "text/xml"}, body.encode()


def invoke_ok(body=b'{"label":"cat"}', content_type="application/json", variant="AllTraffic", custom_attributes=None):
    """InvokeEndpoint success (rest-json: the payload is the raw body, metadata in headers)."""
    headers = {
        "Content-Type": content_type,
        "x-Amzn-Invoked-Production-Variant": variant,
        "x-amzn-RequestId": "smr-ok-1",
        "Content-Length": str(len(body)),
    }
    if custom_attributes is not None:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
    return 200, headers, body


def invoke_error(code, message, status, **fields):
    headers = {"x-amzn-ErrorType": f"{code}:", "Content-Type": "application/json", "x-amzn-RequestId": "smr-error-1"}
    return status, headers, json.dumps({"Message": message, **fields}).encode()


# ---------------------------------------------------------------------------
# The fake


class FakeAws:
    """Answers the package's real clients at botocore's before-send event.

    Queue responses (tuples from the builders above, or exceptions to raise as
    if the network failed) in ``sts`` and ``invoke``. An empty STS queue
    answers like STS would: fresh keys valid for the requested duration. An
    empty InvokeEndpoint queue means the call was not expected.
    """

    def __init__(self):
        self.sts = []
        self.invoke = []
        self.sts_calls = []
        self.invoke_calls = []
        self.issued = {}  # access key id -> expiry, to prove no expired key is used
        self.sts_client = self.runtime_client = None

    def attach(self):
        """Hook the clients the handler will use (creating them makes no AWS call)."""
        access = parent_access.for_config(config.get_config())
        self.sts_client = access.sts
        self.runtime_client = access.sagemaker
        self.sts_client.meta.events.register("before-send.sts.AssumeRole", self._on_sts)
        self.runtime_client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", self._on_invoke)

    def __call__(self, event, request_id="req-1"):
        """Invoke the Lambda handler as the Lambda runtime would."""
        if self.runtime_client is None:
            self.attach()
        return handler.lambda_handler(event, types.SimpleNamespace(aws_request_id=request_id))

    def _respond(self, request, item):
        if isinstance(item, BaseException):
            raise item
        status, headers, body = item
        if status == 200 and "<AccessKeyId>" in body.decode(errors="ignore"):
            key = re.search(rb"<AccessKeyId>(.*?)</AccessKeyId>", body).group(1).decode()
            expiry = re.search(rb"<Expiration>(.*?)</Expiration>", body).group(1).decode()
            self.issued[key] = dt.datetime.fromisoformat(expiry.replace("Z", "+00:00"))
        return response(request, status, headers, body)

    def _on_sts(self, request, **kwargs):
        params = dict(urllib.parse.parse_qsl(request.body.decode() if isinstance(request.body, bytes) else request.body))
        self.sts_calls.append({"params": params, "key": signing_key(request), "url": request.url})
        if self.sts:
            item = self.sts.pop(0)
        else:
            item = sts_ok(f"ASIAPARENT{len(self.sts_calls):04d}", dt.timedelta(seconds=int(params["DurationSeconds"])))
        return self._respond(request, item)

    def _on_invoke(self, request, **kwargs):
        key = signing_key(request)
        self.invoke_calls.append(
            {
                "url": request.url,
                "path": urllib.parse.urlsplit(request.url).path,
                "headers": {k.lower(): header(request, k) for k in request.headers.keys()},
                "body": request.body,
                "key": key,
                "token": header(request, "X-Amz-Security-Token"),
                "seconds_left": (self.issued[key] - _now()).total_seconds() if key in self.issued else None,
            }
        )
        if not self.invoke:
            raise AssertionError("unexpected InvokeEndpoint call")
        return self._respond(request, self.invoke.pop(0))


# ---------------------------------------------------------------------------
# Fixtures


@pytest.fixture(autouse=True)
def retry_sleeps(monkeypatch):
    """Record botocore's retry back-off instead of sleeping it."""
    sleeps = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)
    return sleeps


@pytest.fixture
def aws():
    return FakeAws()


def assert_no_aws_call(aws, no_network):
    assert aws.sts_calls == []
    assert aws.invoke_calls == []
    assert no_network == []


# ---------------------------------------------------------------------------
# Event validation: 400 naming the field, and no AWS call at all

LONG = "x" * 1025

INVALID_EVENTS = [
    # (id, event, field, text the message must contain)
    ("missing-body", {"endpoint": ENDPOINT}, "body", "got neither"),
    ("both-bodies", {"body": "a", "body_base64": "YQ=="}, "body", "got both"),
    ("unknown-keys", {"body": "a", "foo": 1, "Body": 2}, "Body", "unknown field(s): 'Body', 'foo'"),
    ("event-not-object", ["body"], "event", "must be a JSON object, got array"),
    ("event-null", None, "event", "got null"),
    ("endpoint-type", {"endpoint": 5, "body": "a"}, "endpoint", "'endpoint' must be a string, got number"),
    ("body-null", {"body": None}, "body", "got null"),
    ("body-b64-type", {"body_base64": 123}, "body_base64", "'body_base64' must be a string, got number"),
    ("content-type-type", {"body": "a", "content_type": 1}, "content_type", "must be a string, got number"),
    ("accept-type", {"body": "a", "accept": []}, "accept", "must be a string, got array"),
    ("custom-attributes-type", {"body": "a", "custom_attributes": {}}, "custom_attributes", "got object"),
    ("inference-id-type", {"body": "a", "inference_id": True}, "inference_id", "got boolean"),
    ("target-variant-type", {"body": "a", "target_variant": 1.5}, "target_variant", "got number"),
    ("endpoint-not-allowed", {"endpoint": "other-endpoint", "body": "a"}, "endpoint", "not an allowed endpoint"),
    ("bad-base64-chars", {"body_base64": "not base64!"}, "body_base64", "standard base64"),
    ("bad-base64-padding", {"body_base64": "YWJ"}, "body_base64", "standard base64"),
    ("urlsafe-base64", {"body_base64": "-_8="}, "body_base64", "standard base64"),
    ("empty-body", {"body": ""}, "body", "is empty"),
    ("empty-body-base64", {"body_base64": ""}, "body_base64", "is empty"),
    ("body-over-6mib", {"body": "x" * (MIB6 + 1)}, "body", f"encodes to {MIB6 + 1} bytes"),
    # 3 Mi characters of 2 bytes each, plus one: the limit is on bytes, not characters.
    ("body-over-6mib-utf8", {"body": "é" * (MIB6 // 2) + "x"}, "body", "at most 6291456"),
    ("body-b64-over-6mib", {"body_base64": base64.b64encode(b"\0" * (MIB6 + 1)).decode()}, "body_base64", "at most"),
    ("json-nan", {"body": {"x": float("nan")}}, "body", "NaN"),
    ("custom-attributes-too-long", {"body": "a", "custom_attributes": LONG}, "custom_attributes", "1 to 1024 characters"),
    ("custom-attributes-newline", {"body": "a", "custom_attributes": "a\r\nb"}, "custom_attributes", "printable ASCII"),
    ("content-type-empty", {"body": "a", "content_type": ""}, "content_type", "1 to 1024"),
    ("accept-too-long", {"body": "a", "accept": LONG}, "accept", "1 to 1024"),
    ("inference-id-empty", {"body": "a", "inference_id": ""}, "inference_id", "1 to 64"),
    ("inference-id-too-long", {"body": "a", "inference_id": "i" * 65}, "inference_id", "1 to 64"),
    ("target-variant-bad", {"body": "a", "target_variant": "bad_variant"}, "target_variant", "variant name"),
]


@pytest.mark.parametrize("event,field,text", [c[1:] for c in INVALID_EVENTS], ids=[c[0] for c in INVALID_EVENTS])
def test_invalid_event_is_rejected_before_any_aws_call(aws, no_network, event, field, text):
    result = aws(event)

    assert result["statusCode"] == 400
    error = result["error"]
    assert error["code"] == "InvalidRequest"
    assert error["stage"] == "validation"
    assert error["retryable"] is False
    assert error["field"] == field
    assert text in error["message"]
    if field != "event":
        assert repr(field) in error["message"] or f"'{field}'" in error["message"]
    assert_no_aws_call(aws, no_network)


def test_endpoint_required_when_several_are_allowed(lambda_env, aws, no_network):
    lambda_env.setenv("ALLOWED_ENDPOINTS", "ep-a,ep-b")
    result = aws({"body": "a"})
    assert result["statusCode"] == 400
    assert result["error"]["field"] == "endpoint"
    assert "several endpoints are allowed: ep-a, ep-b" in result["error"]["message"]
    assert_no_aws_call(aws, no_network)


def test_endpoint_may_be_omitted_when_exactly_one_is_allowed(aws):
    aws.invoke.append(invoke_ok())
    result = aws({"body": {"x": 1}})
    assert result["statusCode"] == 200
    assert result["endpoint"] == ENDPOINT
    assert aws.invoke_calls[0]["path"] == f"/endpoints/{ENDPOINT}/invocations"


def test_body_of_exactly_6_mib_is_accepted(aws):
    aws.invoke.append(invoke_ok())
    result = aws({"body": "x" * MIB6, "content_type": "text/plain"})
    assert result["statusCode"] == 200
    assert len(aws.invoke_calls[0]["body"]) == MIB6


def test_custom_attributes_of_1024_characters_are_accepted(aws):
    aws.invoke.append(invoke_ok())
    assert aws({"body": "a", "custom_attributes": "c" * 1024})["statusCode"] == 200


# ---------------------------------------------------------------------------
# Configuration: 500 ConfigurationError naming the variable, no AWS call

BAD_CONFIG = [
    # (id, variable, value or None to unset, variable expected in the error, text)
    ("role-missing", "PARENT_ROLE_ARN", None, "PARENT_ROLE_ARN", "is required"),
    ("role-malformed", "PARENT_ROLE_ARN", "arn:aws:iam::1234:role/x", "PARENT_ROLE_ARN", "IAM role ARN"),
    ("role-is-user", "PARENT_ROLE_ARN", "arn:aws:iam::111122223333:user/x", "PARENT_ROLE_ARN", "IAM role ARN"),
    ("external-id-short", "EXTERNAL_ID", "x", "EXTERNAL_ID", "2 to 1224"),
    ("external-id-chars", "EXTERNAL_ID", "has space", "EXTERNAL_ID", "2 to 1224"),
    ("endpoints-missing", "ALLOWED_ENDPOINTS", None, "ALLOWED_ENDPOINTS", "is required"),
    ("endpoints-bad-name", "ALLOWED_ENDPOINTS", "ok,bad_name", "ALLOWED_ENDPOINTS", "'bad_name' is not a SageMaker endpoint name"),
    ("endpoints-too-long", "ALLOWED_ENDPOINTS", "e" * 64, "ALLOWED_ENDPOINTS", "not a SageMaker endpoint name"),
    ("endpoints-empty-entry", "ALLOWED_ENDPOINTS", "a,,b", "ALLOWED_ENDPOINTS", "empty entry"),
    ("endpoints-duplicate", "ALLOWED_ENDPOINTS", "Ep-1,ep-1", "ALLOWED_ENDPOINTS", "listed twice"),
    ("region-bad", "ENDPOINT_REGION", "europe", "ENDPOINT_REGION", "AWS region name"),
    ("session-name-chars", "ROLE_SESSION_NAME", "has space", "ROLE_SESSION_NAME", "2 to 64"),
    ("session-name-short", "ROLE_SESSION_NAME", "x", "ROLE_SESSION_NAME", "2 to 64"),
    ("duration-low", "SESSION_DURATION_SECONDS", "899", "SESSION_DURATION_SECONDS", "integer from 900 to 43200"),
    ("duration-high", "SESSION_DURATION_SECONDS", "43201", "SESSION_DURATION_SECONDS", "integer from 900 to 43200"),
    ("duration-text", "SESSION_DURATION_SECONDS", "1h", "SESSION_DURATION_SECONDS", "integer"),
    ("duration-fraction", "SESSION_DURATION_SECONDS", "3600.5", "SESSION_DURATION_SECONDS", "integer"),
    ("connect-zero", "CONNECT_TIMEOUT_SECONDS", "0", "CONNECT_TIMEOUT_SECONDS", "number from"),
    ("connect-text", "CONNECT_TIMEOUT_SECONDS", "fast", "CONNECT_TIMEOUT_SECONDS", "number from"),
    ("read-negative", "READ_TIMEOUT_SECONDS", "-1", "READ_TIMEOUT_SECONDS", "number from"),
    ("read-nan", "READ_TIMEOUT_SECONDS", "nan", "READ_TIMEOUT_SECONDS", "number from"),
    ("attempts-zero", "MAX_ATTEMPTS", "0", "MAX_ATTEMPTS", "integer from 1 to 10"),
    ("attempts-high", "MAX_ATTEMPTS", "11", "MAX_ATTEMPTS", "integer from 1 to 10"),
]


@pytest.mark.parametrize("variable,value,named,text", [c[1:] for c in BAD_CONFIG], ids=[c[0] for c in BAD_CONFIG])
def test_bad_configuration_is_reported_naming_the_variable(lambda_env, no_network, variable, value, named, text):
    if value is None:
        lambda_env.delenv(variable)
    else:
        lambda_env.setenv(variable, value)

    result = handler.lambda_handler({"body": "a"}, None)

    assert result["statusCode"] == 500
    error = result["error"]
    assert (error["code"], error["stage"], error["retryable"]) == ("ConfigurationError", "configuration", False)
    assert error["variable"] == named
    assert error["message"].startswith(f"{named} ")
    assert text in error["message"]
    assert no_network == []


def test_region_required_when_neither_endpoint_region_nor_aws_region_is_set(lambda_env):
    lambda_env.delenv("AWS_REGION")
    result = handler.lambda_handler({"body": "a"}, None)
    assert result["error"]["variable"] == "ENDPOINT_REGION"


def test_external_id_is_never_echoed(lambda_env):
    lambda_env.setenv("EXTERNAL_ID", "secret value")
    result = handler.lambda_handler({"body": "a"}, None)
    assert result["error"]["variable"] == "EXTERNAL_ID"
    assert "secret value" not in result["error"]["message"]


def test_configuration_failure_is_not_cached(lambda_env, aws):
    lambda_env.delenv("PARENT_ROLE_ARN")
    assert handler.lambda_handler({"body": "a"}, None)["statusCode"] == 500
    lambda_env.setenv("PARENT_ROLE_ARN", ROLE_ARN)
    aws.invoke.append(invoke_ok())
    assert aws({"body": "a"})["statusCode"] == 200


def test_configuration_defaults():
    cfg = config.load_config(
        {"PARENT_ROLE_ARN": ROLE_ARN, "ALLOWED_ENDPOINTS": " a , B-2 ", "AWS_REGION": REGION, "EXTERNAL_ID": ""}
    )
    assert cfg.allowed_endpoints == ("a", "B-2")
    assert cfg.external_id is None  # empty means unset
    assert (cfg.endpoint_region, cfg.sts_region) == (REGION, REGION)
    assert cfg.role_session_name == "sagemaker-invoker"  # no function name
    assert cfg.session_duration_seconds == 3600
    assert (cfg.connect_timeout_seconds, cfg.read_timeout_seconds, cfg.max_attempts) == (3, 65, 3)


def test_role_session_name_is_derived_from_the_function_name():
    base = {"PARENT_ROLE_ARN": ROLE_ARN, "ALLOWED_ENDPOINTS": "a", "AWS_REGION": REGION}
    name = config.load_config({**base, "AWS_LAMBDA_FUNCTION_NAME": "f" * 70})
    assert name.role_session_name == "f" * 64
    odd = config.load_config({**base, "AWS_LAMBDA_FUNCTION_NAME": "my fn:v1"})
    assert odd.role_session_name == "my-fn-v1"
    short = config.load_config({**base, "AWS_LAMBDA_FUNCTION_NAME": "f"})
    assert short.role_session_name == "sagemaker-invoker"


def test_clients_use_configured_timeouts_retries_and_regions(lambda_env):
    lambda_env.setenv("ENDPOINT_REGION", "us-east-2")
    lambda_env.setenv("CONNECT_TIMEOUT_SECONDS", "2.5")
    lambda_env.setenv("READ_TIMEOUT_SECONDS", "30")
    lambda_env.setenv("MAX_ATTEMPTS", "5")
    access = parent_access.for_config(config.get_config())
    runtime, sts = access.sagemaker, access.sts

    assert runtime.meta.region_name == "us-east-2"
    assert runtime.meta.endpoint_url == "https://runtime.sagemaker.us-east-2.amazonaws.com"
    assert (runtime.meta.config.connect_timeout, runtime.meta.config.read_timeout) == (2.5, 30)
    assert runtime.meta.config.retries == {"mode": "standard", "total_max_attempts": 5}
    # STS: the function's own region, regional endpoint.
    assert sts.meta.endpoint_url == f"https://sts.{REGION}.amazonaws.com"


def test_aws_endpoint_url_from_the_environment_is_honoured(lambda_env):
    lambda_env.setenv("AWS_ENDPOINT_URL", "http://emulator.test:4566")
    access = parent_access.for_config(config.get_config())
    assert access.sagemaker.meta.endpoint_url == "http://emulator.test:4566"
    assert access.sts.meta.endpoint_url == "http://emulator.test:4566"


# ---------------------------------------------------------------------------
# Success


def test_json_body_is_sent_compactly_and_text_answer_returned(aws):
    aws.invoke.append(invoke_ok(b'{"label":"cat","score":0.9}'))

    result = aws({"endpoint": ENDPOINT, "body": {"inputs": "héllo", "n": [1, 2]}})

    assert result == {
        "statusCode": 200,
        "endpoint": ENDPOINT,
        "contentType": "application/json",
        "invokedProductionVariant": "AllTraffic",
        "body": '{"label":"cat","score":0.9}',
    }
    call = aws.invoke_calls[0]
    assert call["body"] == '{"inputs":"héllo","n":[1,2]}'.encode()
    assert call["headers"]["content-type"] == "application/json"
    assert "accept" not in call["headers"]
    assert call["url"] == f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/{ENDPOINT}/invocations"


@pytest.mark.parametrize("value,sent", [(True, b"true"), (42, b"42"), ([1, "a"], b'[1,"a"]')])
def test_json_scalars_and_arrays_are_serialised(aws, value, sent):
    aws.invoke.append(invoke_ok())
    assert aws({"body": value})["statusCode"] == 200
    assert aws.invoke_calls[0]["body"] == sent


def test_text_body_and_optional_fields_are_passed_through(aws):
    aws.invoke.append(invoke_ok(b"0.93\n", content_type="text/csv", variant="Blue", custom_attributes="trace=abc"))

    result = aws(
        {
            "body": "5.1,3.5,1.4,0.2",
            "content_type": "text/csv",
            "accept": "text/csv",
            "custom_attributes": "trace=abc",
            "inference_id": "inf-1",
            "target_variant": "Blue",
        }
    )

    assert result["body"] == "0.93\n"
    assert result["contentType"] == "text/csv"
    assert result["invokedProductionVariant"] == "Blue"
    assert result["customAttributes"] == "trace=abc"
    headers = aws.invoke_calls[0]["headers"]
    assert aws.invoke_calls[0]["body"] == b"5.1,3.5,1.4,0.2"
    assert headers["content-type"] == "text/csv"
    assert headers["accept"] == "text/csv"
    assert headers["x-amzn-sagemaker-custom-attributes"] == "trace=abc"
    assert headers["x-amzn-sagemaker-inference-id"] == "inf-1"
    assert headers["x-amzn-sagemaker-target-variant"] == "Blue"


def test_binary_body_round_trips_as_base64(aws):
    image = bytes(range(256)) + b"\x89PNG\r\n\x1a\n"
    answer = b"\xff\xfe\x00binary"
    aws.invoke.append(invoke_ok(answer, content_type="application/octet-stream"))

    result = aws({"body_base64": base64.b64encode(image).decode(), "content_type": "image/png"})

    assert aws.invoke_calls[0]["body"] == image
    assert "body" not in result
    assert base64.b64decode(result["bodyBase64"]) == answer


def test_binary_request_gets_base64_answer_even_when_it_is_text(aws):
    aws.invoke.append(invoke_ok(b'{"ok":true}'))
    result = aws({"body_base64": base64.b64encode(b"raw").decode()})
    assert result["bodyBase64"] == base64.b64encode(b'{"ok":true}').decode()


def test_non_utf8_answer_to_text_request_is_base64(aws):
    aws.invoke.append(invoke_ok(b"\x80\x81"))
    result = aws({"body": "a"})
    assert "body" not in result
    assert result["bodyBase64"] == "gIE="


def test_endpoint_is_matched_case_insensitively_and_called_by_its_configured_name(lambda_env, aws):
    lambda_env.setenv("ALLOWED_ENDPOINTS", "other-ep,My-Endpoint")
    aws.invoke.append(invoke_ok())

    result = aws({"endpoint": "my-ENDPOINT", "body": "a"})

    assert result["endpoint"] == "My-Endpoint"
    assert aws.invoke_calls[0]["path"] == "/endpoints/My-Endpoint/invocations"


def test_assume_role_parameters_are_passed_exactly(lambda_env, aws):
    lambda_env.setenv("ROLE_SESSION_NAME", "child-acct@invoker")
    lambda_env.setenv("SESSION_DURATION_SECONDS", "1800")
    lambda_env.setenv("ENDPOINT_REGION", "us-east-1")
    aws.invoke.append(invoke_ok())

    assert aws({"body": "a"})["statusCode"] == 200

    (sts_call,) = aws.sts_calls
    assert sts_call["params"] == {
        "Action": "AssumeRole",
        "Version": "2011-06-15",
        "RoleArn": ROLE_ARN,
        "RoleSessionName": "child-acct@invoker",
        "ExternalId": EXTERNAL_ID,
        "DurationSeconds": "1800",
    }
    # STS: regional endpoint of the function's region, signed by the execution role.
    assert sts_call["url"] == f"https://sts.{REGION}.amazonaws.com/"
    assert sts_call["key"] == EXEC_KEY
    # SageMaker: the endpoint's region, signed by the assumed role.
    call = aws.invoke_calls[0]
    assert call["url"].startswith("https://runtime.sagemaker.us-east-1.amazonaws.com/")
    assert call["key"] == "ASIAPARENT0001"
    assert call["token"] == "token-of-ASIAPARENT0001"


def test_defaults_without_external_id(lambda_env, aws):
    lambda_env.delenv("EXTERNAL_ID")
    aws.invoke.append(invoke_ok())
    aws({"body": "a"})
    params = aws.sts_calls[0]["params"]
    assert "ExternalId" not in params
    assert params["RoleSessionName"] == FUNCTION_NAME
    assert params["DurationSeconds"] == "3600"


def test_duration_is_not_clamped_and_the_sts_error_surfaces(lambda_env, aws):
    lambda_env.setenv("SESSION_DURATION_SECONDS", "7200")
    message = "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    aws.sts.append(sts_error("ValidationError", message, 400))

    result = aws({"body": "a"})

    assert aws.sts_calls[0]["params"]["DurationSeconds"] == "7200"
    assert result["statusCode"] == 400
    assert result["error"] == {
        "code": "ValidationError",
        "message": message,
        "stage": "assume_role",
        "retryable": False,
        "requestId": "sts-error-1",
    }
    assert aws.invoke_calls == []


# ---------------------------------------------------------------------------
# Reuse and refresh of the parent-role credentials


def test_role_is_assumed_once_and_client_created_once(aws):
    aws.attach()
    runtime = aws.runtime_client
    # Deferred: creating the session and client calls nothing...
    assert aws.sts_calls == []
    # ...nor does a rejected event...
    assert aws({"body": ""})["statusCode"] == 400
    assert aws.sts_calls == []
    # ...the first valid invocation assumes the role, and later ones reuse it.
    aws.invoke.extend(invoke_ok() for _ in range(5))
    for i in range(5):
        assert aws({"body": "a"}, request_id=f"req-{i}")["statusCode"] == 200

    assert len(aws.sts_calls) == 1
    assert len(aws.invoke_calls) == 5  # every call went through the client hooked above
    assert {c["key"] for c in aws.invoke_calls} == {"ASIAPARENT0001"}
    assert parent_access.for_config(config.get_config()).sagemaker is runtime


def test_credentials_near_expiry_are_replaced_before_use(aws):
    # The first keys expire in 5 minutes: inside botocore's mandatory window
    # (10 minutes), so they must be refreshed before anything is signed.
    aws.sts.append(sts_ok("ASIASOON", dt.timedelta(minutes=5)))
    aws.sts.append(sts_ok("ASIAFRESH", dt.timedelta(hours=1)))
    aws.invoke.extend([invoke_ok(), invoke_ok()])

    assert aws({"body": "a"})["statusCode"] == 200
    assert aws({"body": "a"})["statusCode"] == 200

    assert len(aws.sts_calls) == 2
    assert [c["key"] for c in aws.invoke_calls] == ["ASIAFRESH", "ASIAFRESH"]
    assert all(c["seconds_left"] > 600 for c in aws.invoke_calls)


def test_failed_advisory_refresh_keeps_valid_keys_and_next_invocation_refreshes(aws):
    # 12 minutes left: inside the advisory window (15 min), outside the mandatory one.
    aws.sts.append(sts_ok("ASIAADVISORY", dt.timedelta(minutes=12)))
    aws.sts.append(sts_error("AccessDenied", "temporarily denied", 403))
    aws.sts.append(sts_ok("ASIANEXT", dt.timedelta(hours=1)))
    aws.invoke.extend([invoke_ok(), invoke_ok(), invoke_ok()])

    # The refresh attempt fails, but the keys are still valid: botocore uses them.
    assert aws({"body": "a"})["statusCode"] == 200
    assert len(aws.sts_calls) == 2
    assert aws.invoke_calls[0]["key"] == "ASIAADVISORY"
    # The next invocation refreshes before it signs.
    assert aws({"body": "a"})["statusCode"] == 200
    assert len(aws.sts_calls) == 3
    assert aws.invoke_calls[1]["key"] == "ASIANEXT"
    # And then the fresh keys are reused.
    assert aws({"body": "a"})["statusCode"] == 200
    assert len(aws.sts_calls) == 3
    assert all(c["seconds_left"] > 0 for c in aws.invoke_calls)


def test_failed_mandatory_refresh_is_an_assume_role_error_and_nothing_is_sent(aws):
    aws.sts.append(sts_ok("ASIASOON", dt.timedelta(minutes=5)))
    aws.sts.append(sts_error("AccessDenied", "Access denied on refresh", 403))

    result = aws({"body": "a"})

    assert result["statusCode"] == 403
    assert result["error"]["stage"] == "assume_role"
    assert result["error"]["message"] == "Access denied on refresh"
    assert aws.invoke_calls == []


def test_short_sessions_are_not_refreshed_on_every_call(lambda_env, aws):
    # With botocore's fixed 15-minute advisory window a 900 s session would be
    # refreshed on every call; the windows shrink with the session.
    lambda_env.setenv("SESSION_DURATION_SECONDS", "900")
    aws.invoke.extend(invoke_ok() for _ in range(3))
    for _ in range(3):
        assert aws({"body": "a"})["statusCode"] == 200
    assert len(aws.sts_calls) == 1


# ---------------------------------------------------------------------------
# Error mapping


def test_access_denied_on_assume_role(aws):
    message = (
        "User: arn:aws:sts::444455556666:assumed-role/invoker/child is not authorized "
        f"to perform: sts:AssumeRole on resource: {ROLE_ARN}"
    )
    aws.sts.append(sts_error("AccessDenied", message, 403))

    result = aws({"body": "a"})

    assert result == {
        "statusCode": 403,
        "error": {
            "code": "AccessDenied",
            "message": message,
            "stage": "assume_role",
            "retryable": False,
            "requestId": "sts-error-1",
        },
    }
    assert len(aws.sts_calls) == 1  # not retried
    assert aws.invoke_calls == []


def test_access_denied_on_invoke(aws):
    message = "User is not authorized to perform: sagemaker:InvokeEndpoint"
    aws.invoke.append(invoke_error("AccessDeniedException", message, 403))

    result = aws({"body": "a"})

    assert result["statusCode"] == 403
    assert result["error"] == {
        "code": "AccessDeniedException",
        "message": message,
        "stage": "invoke_endpoint",
        "retryable": False,
        "requestId": "smr-error-1",
    }


def test_model_error_carries_the_model_status_and_log_stream(aws):
    log_stream = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/sagemaker/Endpoints/My-Endpoint"
    message = 'Received server error (500) from primary with message "boom".'
    aws.invoke.append(
        invoke_error("ModelError", message, 424, OriginalStatusCode=500, OriginalMessage="boom", LogStreamArn=log_stream)
    )

    result = aws({"body": "a"})

    assert result["statusCode"] == 424
    error = result["error"]
    assert (error["code"], error["message"], error["stage"]) == ("ModelError", message, "invoke_endpoint")
    assert (error["modelStatusCode"], error["modelMessage"], error["logStreamArn"]) == (500, "boom", log_stream)
    assert error["retryable"] is False
    assert len(aws.invoke_calls) == 1  # not retried


def test_model_error_without_details_still_has_the_keys(aws):
    aws.invoke.append(invoke_error("ModelError", "failed", 424))
    error = aws({"body": "a"})["error"]
    assert error["modelStatusCode"] is None and error["modelMessage"] is None
    assert "logStreamArn" not in error


def test_validation_error_is_not_retried(aws):
    aws.invoke.append(invoke_error("ValidationError", "Endpoint My-Endpoint of account 1 not found.", 400))
    result = aws({"body": "a"})
    assert result["statusCode"] == 400
    assert result["error"]["code"] == "ValidationError"
    assert result["error"]["message"] == "Endpoint My-Endpoint of account 1 not found."
    assert result["error"]["retryable"] is False
    assert len(aws.invoke_calls) == 1


@pytest.mark.parametrize(
    "code,status",
    [("ThrottlingException", 400), ("ServiceUnavailable", 503), ("InternalFailure", 500)],
)
def test_transient_errors_are_retried_by_botocore_then_reported_retryable(aws, retry_sleeps, code, status):
    aws.invoke.extend(invoke_error(code, f"{code} happened", status) for _ in range(3))

    result = aws({"body": "a"})

    assert len(aws.invoke_calls) == 3  # MAX_ATTEMPTS default: all three consumed
    assert len(retry_sleeps) == 2  # with back-off between attempts
    assert result["statusCode"] == status
    assert result["error"]["code"] == code
    assert result["error"]["message"] == f"{code} happened"
    assert result["error"]["retryable"] is True


def test_retry_recovers_from_a_transient_error(aws, caplog):
    aws.invoke.extend([invoke_error("InternalFailure", "oops", 500), invoke_ok(b"done")])
    with caplog.at_level(logging.INFO, logger="sagemaker_invoker"):
        result = aws({"body": "a"})
    assert result["statusCode"] == 200 and result["body"] == "done"
    assert len(aws.invoke_calls) == 2
    assert _log_lines(caplog)[-1]["retryAttempts"] == 1


def test_max_attempts_is_honoured(lambda_env, aws):
    lambda_env.setenv("MAX_ATTEMPTS", "1")
    aws.invoke.append(invoke_error("ThrottlingException", "slow down", 400))
    assert aws({"body": "a"})["error"]["retryable"] is True
    assert len(aws.invoke_calls) == 1


def test_model_not_ready_is_not_retried_but_reported_retryable(aws):
    aws.invoke.append(invoke_error("ModelNotReadyException", "Model is loading", 429))
    result = aws({"body": "a"})
    assert len(aws.invoke_calls) == 1  # modeled error without a retryable trait
    assert result["statusCode"] == 429
    assert result["error"]["code"] == "ModelNotReadyException"
    assert result["error"]["retryable"] is True


def test_read_timeout_is_504(aws):
    url = f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/{ENDPOINT}/invocations"
    aws.invoke.extend(ReadTimeoutError(endpoint_url=url) for _ in range(3))

    result = aws({"body": "a"})

    assert len(aws.invoke_calls) == 3  # botocore retried the timeouts
    assert result["statusCode"] == 504
    assert result["error"]["code"] == "Timeout"
    assert result["error"]["stage"] == "invoke_endpoint"
    assert result["error"]["retryable"] is True


def test_connect_timeout_is_504_and_connection_failure_502(aws):
    aws.invoke.extend(ConnectTimeoutError(endpoint_url="https://x") for _ in range(3))
    assert aws({"body": "a"})["statusCode"] == 504
    aws.invoke.extend(EndpointConnectionError(endpoint_url="https://x") for _ in range(3))
    result = aws({"body": "a"})
    assert result["statusCode"] == 502
    assert result["error"]["code"] == "ConnectionError"
    assert len(aws.invoke_calls) == 6


def test_sts_timeout_is_504_at_assume_role(aws):
    aws.sts.extend(ReadTimeoutError(endpoint_url="https://sts") for _ in range(3))
    result = aws({"body": "a"})
    assert result["statusCode"] == 504
    assert result["error"]["stage"] == "assume_role"
    assert len(aws.sts_calls) == 3


def test_unexpected_failure_is_a_generic_500_with_the_traceback_logged(aws, caplog):
    aws.invoke.append(RuntimeError("secret detail"))
    with caplog.at_level(logging.INFO, logger="sagemaker_invoker"):
        result = aws({"body": "a"}, request_id="req-42")
    assert result["statusCode"] == 500
    assert result["error"]["code"] == "InternalError"
    assert result["error"]["stage"] == "invoke_endpoint"
    assert "secret detail" not in result["error"]["message"]
    assert "req-42" in result["error"]["message"]
    assert any(r.exc_info and "secret detail" in str(r.exc_info[1]) for r in caplog.records)


# ---------------------------------------------------------------------------
# Logging


def _log_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.getMessage().startswith('{"msg":"invocation"')]


def test_one_structured_log_line_per_invocation_without_body_or_secrets(aws, caplog):
    aws.invoke.append(invoke_ok(b"model-answer-text"))
    with caplog.at_level(logging.DEBUG, logger="sagemaker_invoker"):
        aws({"body": "request-body-text"}, request_id="req-7")
        aws({"body": ""}, request_id="req-8")

    first, second = _log_lines(caplog)
    assert first["requestId"] == "req-7"
    assert first["endpoint"] == ENDPOINT
    assert first["statusCode"] == 200 and first["stage"] == "done"
    assert (first["bytesIn"], first["bytesOut"]) == (len("request-body-text"), len("model-answer-text"))
    assert first["durationMs"] >= 0
    assert (second["statusCode"], second["errorCode"], second["stage"]) == (400, "InvalidRequest", "validation")
    everything = caplog.text
    for secret in ("request-body-text", "model-answer-text", EXEC_SECRET, "secret-of-", "token-of-", EXTERNAL_ID):
        assert secret not in everything
