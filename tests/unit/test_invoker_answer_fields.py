"""What a successful answer carries, and what the container says when it starts.

SageMaker Runtime API reference, InvokeEndpoint, response elements: ContentType,
InvokedProductionVariant, and (when present) CustomAttributes
(X-Amzn-SageMaker-Custom-Attributes), NewSessionId (X-Amzn-SageMaker-New-Session-Id) and
ClosedSessionId (X-Amzn-SageMaker-Closed-Session-Id), the stateful-session headers. The
function returns each one it got under the contract's name, and no key for those it did not.
"""

from __future__ import annotations

import logging

import pytest

from sagemaker_invoker import config, handler, logs, parent_access
from tests.unit.fakes import ENDPOINT, HappyAws, lambda_env, no_network, response  # noqa: F401

pytestmark = pytest.mark.unit

INVOKE = "before-send.sagemaker-runtime.InvokeEndpoint"


def answer_with(headers: dict, body: bytes = b"ok"):
    access = parent_access.for_config(config.get_config())
    HappyAws(access)

    def answer(request, **kwargs):
        return response(request, 200, {"Content-Type": "text/plain", "x-Amzn-Invoked-Production-Variant": "v1",
                                       **headers}, body)
    access.sagemaker.meta.events.register_first(INVOKE, answer)


def test_session_and_custom_attribute_headers_are_returned_under_the_contracts_names():
    answer_with({"X-Amzn-SageMaker-New-Session-Id": "sess-9; Expires=2026-12-01T00:00:00Z",
                 "X-Amzn-SageMaker-Closed-Session-Id": "sess-8",
                 "X-Amzn-SageMaker-Custom-Attributes": "trace=1"})
    assert handler.lambda_handler({"body": "a", "session_id": "NEW_SESSION"}, None) == {
        "statusCode": 200, "endpoint": ENDPOINT, "contentType": "text/plain", "invokedProductionVariant": "v1",
        "customAttributes": "trace=1", "newSessionId": "sess-9; Expires=2026-12-01T00:00:00Z",
        "closedSessionId": "sess-8", "body": "ok"}


def test_headers_that_did_not_come_are_not_invented():
    answer_with({})
    assert handler.lambda_handler({"body": "a"}, None) == {
        "statusCode": 200, "endpoint": ENDPOINT, "contentType": "text/plain", "invokedProductionVariant": "v1",
        "body": "ok"}


def test_binary_in_means_base64_out_even_for_text():
    answer_with({}, body=b"plain text")
    result = handler.lambda_handler({"body_base64": "YQ=="}, None)
    assert (result.get("body"), result["bodyBase64"]) == (None, "cGxhaW4gdGV4dA==")


def test_a_container_without_external_id_warns_once_when_it_reads_its_configuration(lambda_env, caplog):
    lambda_env.delenv("EXTERNAL_ID")
    with caplog.at_level(logging.WARNING, logger="sagemaker_invoker"):
        config.get_config()
        config.get_config()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["EXTERNAL_ID is not set; AssumeRole is called without an ExternalId"]


def test_with_external_id_there_is_no_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="sagemaker_invoker"):
        config.get_config()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize("level, sdk", [("DEBUG", logging.DEBUG), ("INFO", logging.WARNING),
                                        ("WARNING", logging.WARNING), ("ERROR", logging.WARNING)])
def test_log_levels_apply_to_the_package_and_hold_the_sdk_at_warning_below_debug(level, sdk):
    logs.apply_levels(level)
    assert logging.getLogger(logs.PACKAGE_LOGGER).level == logging.getLevelName(level)
    assert [logging.getLogger(name).level for name in ("botocore", "boto3", "urllib3")] == [sdk] * 3
