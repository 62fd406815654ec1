"""Fakes shared by the invoker Lambda's unit tests: a Lambda-like environment, a network guard,
and AWS answers in wire format for botocore ``before-send`` hooks.

Why ``before-send`` and not botocore's Stubber: Stubber answers at ``before-call``, before the
request is built, signed and sent. That skips the credential refresh (it happens at signing) and
the retry loop (it wraps sending), which are exactly what these tests need to see. A hook on the
real clients answers with an HTTP response instead; botocore then parses it, raises ClientError,
applies "standard" retries and re-signs every attempt, just as against AWS.

Import the fixtures into a test module (``from tests.unit.fakes import lambda_env, no_network``)
to make them autouse there.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re

import botocore.httpsession
import pytest
from botocore.awsrequest import AWSResponse

from sagemaker_invoker import handler, logs

ROLE_ARN = "arn:aws:iam::111122223333:role/SageMakerExternal"
EXTERNAL_ID = "child-444455556666-3f9a"
ENDPOINT = "My-Endpoint"
REGION = "eu-west-1"
FUNCTION_NAME = "child-sagemaker-invoker"
EXEC_KEY = "AKIAEXECUTIONROLE000"
EXEC_SECRET = "exec-secret-never-logged"

# Every variable the function reads, so a test starts without any of them.
CONFIG_VARS = (
    "PARENT_ROLE_ARN",
    "EXTERNAL_ID",
    "ALLOWED_ENDPOINTS",
    "ENDPOINT_REGION",
    "ROLE_SESSION_NAME",
    "SESSION_DURATION_SECONDS",
    "CONNECT_TIMEOUT_SECONDS",
    "READ_TIMEOUT_SECONDS",
    "MAX_ATTEMPTS",
    "FUNCTION_TIMEOUT_SECONDS",
    "LOG_LEVEL",
)


class RawBody(io.BytesIO):
    """The raw-stream interface botocore reads an HTTP body through."""

    def stream(self, **kwargs):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def response(request, status: int, headers: dict, body: bytes) -> AWSResponse:
    """What a before-send hook returns to answer ``request`` instead of the network."""
    return AWSResponse(request.url, status, headers, RawBody(body))


def header(request, name):
    value = request.headers.get(name)
    return value.decode() if isinstance(value, bytes) else value


def signing_key(request):
    """The access key id that signed ``request`` (from its SigV4 Authorization header)."""
    match = re.search(r"Credential=([^/]+)/", header(request, "Authorization") or "")
    return match.group(1) if match else None


def assume_role_xml(key_id: str, expiration: str) -> bytes:
    """An AssumeRole success answer (STS speaks the query protocol: XML)."""
    return f"""<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>{key_id}</AccessKeyId>
      <SecretAccessKey>secret-of-{key_id}</SecretAccessKey>
      <SessionToken>token-of-{key_id}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROAEXAMPLE:{FUNCTION_NAME}</AssumedRoleId>
      <Arn>arn:aws:sts::111122223333:assumed-role/SageMakerExternal/{FUNCTION_NAME}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>sts-ok-{key_id}</RequestId></ResponseMetadata>
</AssumeRoleResponse>""".encode()


@pytest.fixture(autouse=True)
def lambda_env(monkeypatch, tmp_path):
    """A clean Lambda-like environment, and a cold container (and default log levels) for every test."""
    for var in list(os.environ):
        if var.startswith("AWS_") or var in CONFIG_VARS:
            monkeypatch.delenv(var)
    # No shared config/credentials files, no instance metadata: only what we set.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # What Lambda provides: the execution role's credentials and the region.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", EXEC_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", EXEC_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "exec-token")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION_NAME)
    # What Terraform sets.
    monkeypatch.setenv("PARENT_ROLE_ARN", ROLE_ARN)
    monkeypatch.setenv("EXTERNAL_ID", EXTERNAL_ID)
    monkeypatch.setenv("ALLOWED_ENDPOINTS", ENDPOINT)
    # Loading the configuration sets these loggers' levels; give them back afterwards.
    loggers = [logging.getLogger(name) for name in (logs.PACKAGE_LOGGER, *logs.SDK_LOGGERS)]
    levels = [logger.level for logger in loggers]
    handler._reset_for_tests()
    yield monkeypatch
    handler._reset_for_tests()
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail on any request that would really leave the process."""
    sent = []

    def refuse(self, request):
        sent.append(request.url)
        raise AssertionError(f"real HTTP request attempted: {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", refuse)
    yield sent
    assert sent == [], f"real HTTP requests were attempted: {sent}"


class HappyAws:
    """The simplest fake for a ``ParentAccess``: STS issues one-hour keys, InvokeEndpoint answers 200.

    Records what reached each service (``assume_role_calls``, ``invoked_bodies``).
    """

    def __init__(self, access, key_id: str = "ASIAPARENTHAPPY0001", answer: bytes = b"{}"):
        self.key_id, self.answer = key_id, answer
        self.assume_role_calls, self.invoked_bodies = 0, []
        access.sts.meta.events.register("before-send.sts.AssumeRole", self._sts)
        access.sagemaker.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", self._invoke)

    def _sts(self, request, **kwargs):
        self.assume_role_calls += 1
        expiry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        body = assume_role_xml(self.key_id, f"{expiry:%Y-%m-%dT%H:%M:%SZ}")
        return response(request, 200, {"Content-Type": "text/xml"}, body)

    def _invoke(self, request, **kwargs):
        self.invoked_bodies.append(request.body)
        headers = {"Content-Type": "text/plain", "x-Amzn-Invoked-Production-Variant": "AllTraffic"}
        return response(request, 200, headers, self.answer)
