"""The invoker's worst case fits inside the function's timeout.

If an invocation can outlast the function's timeout, Lambda ends it and the caller gets
Lambda's timeout error instead of the structured ``Timeout`` answer. The function therefore
derives its read timeout and attempts from FUNCTION_TIMEOUT_SECONDS (set by modules/child
from its ``timeout``) and refuses explicit settings whose worst case would not fit.

The worst case is recomputed here from botocore itself: every attempt of AssumeRole and of
InvokeEndpoint running to its connect + read timeout, and before each retry the longest
sleep botocore's "standard" retry mode can choose (its ``ExponentialBackoff`` with the
random factor at 1, a throttling error, and an ``x-amz-retry-after`` header asking for
more than it allows). Documentation: AWS SDKs and Tools Reference Guide, "Retry behavior"
(standard mode: 3 attempts, exponential back-off with jitter, 20 s cap); Amazon SageMaker
Developer Guide, "Invoke models for real-time inference" (a model has 60 s to answer);
AWS Lambda Developer Guide, "Configure Lambda function timeout".
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff, RetryContext

from sagemaker_invoker import budget, config, handler, parent_access
from xacct.docs import parse_hcl  # python-hcl2, with the options the project reads modules with
from tests.unit.fakes import REGION, ROLE_ARN, lambda_env, no_network  # noqa: F401 (autouse fixtures)

pytestmark = pytest.mark.unit

CHILD_VARIABLES = Path(__file__).resolve().parents[2] / "modules" / "child" / "variables.tf"
BASE_ENV = {"PARENT_ROLE_ARN": ROLE_ARN, "ALLOWED_ENDPOINTS": "ep", "AWS_REGION": REGION}


def child_default_timeout() -> int:
    variables = parse_hcl(CHILD_VARIABLES.read_text())["variable"]
    (timeout,) = [block["timeout"] for block in variables if "timeout" in block]
    return timeout["default"]


def longest_sleep_before_retry(attempt: int) -> float:
    """botocore's own answer: the standard-mode sleep after failed attempt ``attempt`` (1-based), at its largest."""
    backoff = ExponentialBackoff(
        random=lambda: 1.0,
        throttling_detector=types.SimpleNamespace(is_throttling_error_from_context=lambda context: True),
    )
    asks_for_more = types.SimpleNamespace(headers={"x-amz-retry-after": str(3600 * 1000)})
    return backoff.delay_amount(RetryContext(attempt_number=attempt, http_response=asks_for_more))


def worst_case(connect: float, sts_read: float, read: float, attempts: int) -> float:
    sleeps = sum(longest_sleep_before_retry(i) for i in range(1, attempts))
    assume_role = attempts * (connect + sts_read) + sleeps
    invoke_endpoint = attempts * (connect + read) + sleeps
    return budget.MARGIN_SECONDS + assume_role + invoke_endpoint


def client_settings(access: parent_access.ParentAccess, client) -> tuple:
    meta = client.meta.config
    return meta.connect_timeout, meta.read_timeout, meta.retries["total_max_attempts"]


@pytest.mark.parametrize("attempts", range(1, 11))
def test_the_bound_agrees_with_botocores_back_off(attempts):
    expected = sum(longest_sleep_before_retry(i) for i in range(1, attempts))
    assert budget.backoff_seconds(attempts) == expected


def test_the_child_modules_default_timeout_covers_a_full_budget(lambda_env):
    timeout = child_default_timeout()
    lambda_env.setenv("FUNCTION_TIMEOUT_SECONDS", str(timeout))
    access = parent_access.for_config(config.get_config())
    # The settings the clients really carry, not the ones the configuration claims.
    connect, sts_read, sts_attempts = client_settings(access, access.sts)
    sm_connect, read, attempts = client_settings(access, access.sagemaker)
    assert (sm_connect, sts_attempts) == (connect, attempts)

    assert worst_case(connect, sts_read, read, attempts) <= timeout
    # A sensible budget: a full-length (60 s) inference, and botocore's default three attempts.
    assert read >= 60
    assert attempts == 3


@pytest.mark.parametrize(
    "timeout,read,attempts",
    [
        (900, 65, 3),
        (260, 65, 3),
        (180, 65, 2),  # three attempts would cut the read timeout below a full inference
        (75, 62, 1),
        (30, 17, 1),  # too short for a full inference: one attempt with what is left
        (14, 1, 1),
    ],
)
def test_read_timeout_and_attempts_are_derived_from_the_function_timeout(timeout, read, attempts):
    cfg = config.load_config({**BASE_ENV, "FUNCTION_TIMEOUT_SECONDS": str(timeout)})
    assert (cfg.read_timeout_seconds, cfg.max_attempts) == (read, attempts)
    assert worst_case(cfg.connect_timeout_seconds, budget.STS_READ_TIMEOUT_SECONDS, read, attempts) <= timeout


@pytest.mark.parametrize(
    "explicit,timeout,read,attempts",
    [
        ({"MAX_ATTEMPTS": "2"}, 180, 65, 2),
        ({"MAX_ATTEMPTS": "5"}, 900, 65, 5),
        ({"READ_TIMEOUT_SECONDS": "30"}, 75, 30, 1),
        ({"READ_TIMEOUT_SECONDS": "10", "MAX_ATTEMPTS": "3"}, 100, 10, 3),
        ({"READ_TIMEOUT_SECONDS": "120", "MAX_ATTEMPTS": "4"}, None, 120, 4),  # timeout unknown: unchecked
    ],
)
def test_explicit_settings_win_when_they_fit(explicit, timeout, read, attempts):
    env = {**BASE_ENV, **explicit}
    if timeout is not None:
        env["FUNCTION_TIMEOUT_SECONDS"] = str(timeout)
    cfg = config.load_config(env)
    assert (cfg.read_timeout_seconds, cfg.max_attempts) == (read, attempts)


@pytest.mark.parametrize(
    "explicit,timeout,variable,texts",
    [
        (
            {"READ_TIMEOUT_SECONDS": "65", "MAX_ATTEMPTS": "3"},
            75,
            "READ_TIMEOUT_SECONDS",
            ["READ_TIMEOUT_SECONDS and MAX_ATTEMPTS allow an invocation to take up to 256 s",
             "longer than FUNCTION_TIMEOUT_SECONDS=75"],
        ),
        ({"MAX_ATTEMPTS": "5"}, 75, "MAX_ATTEMPTS", ["MAX_ATTEMPTS allows", "FUNCTION_TIMEOUT_SECONDS=75"]),
        (
            {"READ_TIMEOUT_SECONDS": "300"},
            75,
            "READ_TIMEOUT_SECONDS",
            ["even with one attempt", "up to 313 s", "FUNCTION_TIMEOUT_SECONDS=75"],
        ),
        ({}, 13, "FUNCTION_TIMEOUT_SECONDS", ["(13 s) is too short", "at least 14 s is needed"]),
        ({"CONNECT_TIMEOUT_SECONDS": "10"}, 27, "FUNCTION_TIMEOUT_SECONDS", ["CONNECT_TIMEOUT_SECONDS=10"]),
    ],
)
def test_settings_that_could_outlast_the_timeout_are_refused_naming_the_variables(
    lambda_env, no_network, explicit, timeout, variable, texts
):
    for name, value in {**explicit, "FUNCTION_TIMEOUT_SECONDS": str(timeout)}.items():
        lambda_env.setenv(name, value)

    result = handler.lambda_handler({"body": "a"}, None)

    assert result["statusCode"] == 500
    error = result["error"]
    assert (error["code"], error["stage"], error["variable"]) == ("ConfigurationError", "configuration", variable)
    assert error["message"].startswith(f"{variable} ")
    for text in texts:
        assert text in error["message"]
    assert no_network == []


@pytest.mark.parametrize("value", ["0", "901", "75.5", "1m"])
def test_function_timeout_must_be_whole_seconds_lambda_allows(lambda_env, value):
    lambda_env.setenv("FUNCTION_TIMEOUT_SECONDS", value)
    error = handler.lambda_handler({"body": "a"}, None)["error"]
    assert error["variable"] == "FUNCTION_TIMEOUT_SECONDS"
    assert error["message"] == f"FUNCTION_TIMEOUT_SECONDS must be an integer from 1 to 900, got {value!r}"


def test_the_readme_table_is_what_the_function_derives():
    readme = (Path(__file__).resolve().parents[2] / "lambda_src" / "README.md").read_text()
    rows = re.findall(r"^\| (\d+) s[^|]* \| (\d+) s \| (\d) \| (\d+) s \|$", readme, re.MULTILINE)
    assert len(rows) == 4
    for timeout, read, attempts, worst in rows:
        cfg = config.load_config({**BASE_ENV, "FUNCTION_TIMEOUT_SECONDS": timeout})
        assert (cfg.read_timeout_seconds, cfg.max_attempts) == (float(read), int(attempts))
        assert round(worst_case(cfg.connect_timeout_seconds, budget.STS_READ_TIMEOUT_SECONDS,
                                cfg.read_timeout_seconds, cfg.max_attempts)) == int(worst)
    assert "| under 14 s | refused |" in readme
    with pytest.raises(config.ConfigurationError):
        config.load_config({**BASE_ENV, "FUNCTION_TIMEOUT_SECONDS": "13"})
