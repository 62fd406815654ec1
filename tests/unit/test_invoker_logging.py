"""LOG_LEVEL: the function's own logs never carry secrets or bodies, and botocore's stay quiet unless DEBUG.

botocore at DEBUG logs each request's parameters (the ExternalId, the request body) and the
AssumeRole answer (the parent session's secret key and token). The function therefore pins
botocore's loggers at WARNING, so that opening the root logger (Lambda's own log-level
setting does that: AWS Lambda Developer Guide, "Configuring advanced logging controls for
Lambda functions") does not leak them; only LOG_LEVEL=DEBUG lets botocore speak, and the
test below shows what it then writes, which is what lambda_src/README.md warns about.
"""

from __future__ import annotations

import json
import logging
import types

import pytest

from sagemaker_invoker import config, handler, parent_access
from tests.unit.fakes import (  # noqa: F401  (lambda_env and no_network are autouse fixtures)
    EXEC_SECRET,
    EXTERNAL_ID,
    HappyAws,
    lambda_env,
    no_network,
)

pytestmark = pytest.mark.unit

REQUEST_BODY = "request-body-6f1c"
ANSWER_BODY = "answer-body-93ab"
PARENT_KEY = "ASIAPARENTLOGTEST01"
# Everything that must never reach a log line the function writes itself.
SECRETS = (f"secret-of-{PARENT_KEY}", f"token-of-{PARENT_KEY}", EXTERNAL_ID, EXEC_SECRET, REQUEST_BODY, ANSWER_BODY)


def invoke_everything_once(caplog) -> list:
    """A success (AssumeRole included) and a rejected event, with the root logger open to DEBUG."""
    context = types.SimpleNamespace(aws_request_id="req-log")
    with caplog.at_level(logging.DEBUG):
        HappyAws(parent_access.for_config(config.get_config()), PARENT_KEY, ANSWER_BODY.encode())
        assert handler.lambda_handler({"body": REQUEST_BODY}, context)["statusCode"] == 200
        assert handler.lambda_handler({"body": REQUEST_BODY, "accept": "\n"}, context)["statusCode"] == 400
    return caplog.records


def leaks(records, secrets=SECRETS) -> list:
    found = []
    for record in records:
        text = record.getMessage() + (logging.Formatter().formatException(record.exc_info) if record.exc_info else "")
        found += [(record.name, secret) for secret in secrets if secret in text]
    return found


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR"])
def test_the_function_never_logs_secrets_or_bodies_itself(lambda_env, caplog, level):
    lambda_env.setenv("LOG_LEVEL", level)
    records = invoke_everything_once(caplog)
    own = [r for r in records if r.name.startswith("sagemaker_invoker")]
    assert leaks(own) == []
    assert all(r.levelno >= logging.getLevelName(level) for r in own)
    if level in ("DEBUG", "INFO"):
        lines = [json.loads(r.getMessage()) for r in own if r.getMessage().startswith('{"msg":"invocation"')]
        assert [line["statusCode"] for line in lines] == [200, 400]


@pytest.mark.parametrize("level", ["INFO", "WARNING", "ERROR"])
def test_below_debug_botocore_is_kept_at_warning_even_when_the_root_logger_is_open(lambda_env, caplog, level):
    lambda_env.setenv("LOG_LEVEL", level)
    records = invoke_everything_once(caplog)
    assert logging.getLogger("botocore").level == logging.WARNING
    assert [r for r in records if r.name.startswith(("botocore", "boto3", "urllib3")) and r.levelno < logging.WARNING] == []
    assert leaks(records) == []


def test_at_debug_botocore_logs_the_secrets_the_readme_warns_about(lambda_env, caplog):
    lambda_env.setenv("LOG_LEVEL", "DEBUG")
    records = invoke_everything_once(caplog)
    from_sdk = {secret for name, secret in leaks(records) if name.startswith("botocore")}
    # The warning in lambda_src/README.md and in modules/child's log_level description is true.
    assert {f"secret-of-{PARENT_KEY}", EXTERNAL_ID, REQUEST_BODY} <= from_sdk


@pytest.mark.parametrize("value", ["VERBOSE", "debug", "TRACE", "CRITICAL"])
def test_an_unknown_log_level_is_refused_naming_the_variable(lambda_env, no_network, value):
    lambda_env.setenv("LOG_LEVEL", value)
    result = handler.lambda_handler({"body": "a"}, None)
    assert result["statusCode"] == 500
    assert result["error"]["code"] == "ConfigurationError"
    assert result["error"]["variable"] == "LOG_LEVEL"
    assert result["error"]["message"] == f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {value!r}"


def test_log_level_defaults_to_info(lambda_env):
    assert config.get_config().log_level == "INFO"
    assert logging.getLogger("sagemaker_invoker").level == logging.INFO
    assert logging.getLogger("botocore").level == logging.WARNING
