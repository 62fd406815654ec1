"""Configuration at its edges: each limit's own value is accepted and the next one refused,
with the exact message; the STS region fallback; the clients' timeouts and endpoints.

Limits (lambda_src/README.md states them): SESSION_DURATION_SECONDS follows STS AssumeRole's
DurationSeconds, "minimum value of 900, maximum value of 43200" (STS API reference,
AssumeRole); FUNCTION_TIMEOUT_SECONDS Lambda's timeout, 1 to 900 seconds (AWS Lambda
Developer Guide, "Configure Lambda function timeout"); RoleSessionName 2 to 64 characters
of [\\w+=,.@-] and ExternalId 2 to 1224 of [\\w+=,.@:/-] (AssumeRole's request parameters).
"""

from __future__ import annotations

import pytest

from sagemaker_invoker import budget, config, parent_access
from tests.unit.fakes import ROLE_ARN, lambda_env, no_network  # noqa: F401  (autouse fixtures)

pytestmark = pytest.mark.unit

BASE = {"PARENT_ROLE_ARN": ROLE_ARN, "ALLOWED_ENDPOINTS": "ep", "AWS_REGION": "eu-west-1"}


def load(**env):
    return config.load_config({**BASE, **env})


def refused(**env) -> config.ConfigurationError:
    with pytest.raises(config.ConfigurationError) as caught:
        load(**env)
    return caught.value


# variable, lowest accepted, highest accepted, rule text, integer
NUMBERS = [
    ("SESSION_DURATION_SECONDS", "900", "43200", "must be an integer from 900 to 43200", True),
    ("CONNECT_TIMEOUT_SECONDS", "0.1", "60", "must be a number from 0.1 to 60", False),
    ("READ_TIMEOUT_SECONDS", "1", "900", "must be a number from 1 to 900", False),
    ("MAX_ATTEMPTS", "1", "10", "must be an integer from 1 to 10", True),
]


@pytest.mark.parametrize("variable, low, high, rule, integer", NUMBERS, ids=[n[0] for n in NUMBERS])
def test_each_number_is_accepted_at_both_limits_and_refused_just_past_them(variable, low, high, rule, integer):
    field = {"SESSION_DURATION_SECONDS": "session_duration_seconds", "CONNECT_TIMEOUT_SECONDS": "connect_timeout_seconds",
             "READ_TIMEOUT_SECONDS": "read_timeout_seconds", "MAX_ATTEMPTS": "max_attempts"}[variable]
    for value in (low, high):
        assert getattr(load(**{variable: value}), field) == (int(value) if integer else float(value))
    step = 1 if integer else 0.01
    for value in (float(low) - step, float(high) + step):
        text = str(int(value)) if integer else f"{value:g}"
        error = refused(**{variable: text})
        assert (error.variable, str(error)) == (variable, f"{variable} {rule}, got {text!r}")


def test_function_timeout_is_accepted_at_900_and_refused_at_901_and_0():
    assert load(FUNCTION_TIMEOUT_SECONDS="900").function_timeout_seconds == 900
    for text in ("901", "0"):
        assert str(refused(FUNCTION_TIMEOUT_SECONDS=text)) == (
            f"FUNCTION_TIMEOUT_SECONDS must be an integer from 1 to 900, got {text!r}")


@pytest.mark.parametrize("text", ["+5", "1_0", "٣", "5 5"])
def test_integers_are_plain_ascii_digits(text):
    """int() would accept "+5", "1_0" and other scripts' digits; the rule says digits."""
    assert str(refused(MAX_ATTEMPTS=text)) == f"MAX_ATTEMPTS must be an integer from 1 to 10, got {text!r}"


@pytest.mark.parametrize("text", ["inf", "-inf", "nan"])
def test_a_timeout_must_be_finite(text):
    assert str(refused(CONNECT_TIMEOUT_SECONDS=text)) == f"CONNECT_TIMEOUT_SECONDS must be a number from 0.1 to 60, got {text!r}"


def test_session_name_and_external_id_at_their_length_limits():
    assert load(ROLE_SESSION_NAME="ab").role_session_name == "ab"
    assert load(ROLE_SESSION_NAME="s" * 64).role_session_name == "s" * 64
    assert str(refused(ROLE_SESSION_NAME="s" * 65)) == (
        f"ROLE_SESSION_NAME must be 2 to 64 characters from letters, digits and _+=,.@-, got {'s' * 65!r}")
    assert load(EXTERNAL_ID="e" * 1224).external_id == "e" * 1224
    assert load(EXTERNAL_ID="a:b/c").external_id == "a:b/c"
    assert str(refused(EXTERNAL_ID="e" * 1225)) == "EXTERNAL_ID must be 2 to 1224 characters from letters, digits and _+=,.@:/-"


def test_role_arns_of_every_partition_are_accepted_up_to_2048_characters():
    """ARNs: "arn:partition:service:region:account-id:resource", partitions aws, aws-cn and
    aws-us-gov (AWS General Reference, "Amazon Resource Names"); an IAM role ARN is at most
    2048 characters (IAM API reference, Role: Arn)."""
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        arn = f"arn:{partition}:iam::111122223333:role/path/name"
        assert load(PARENT_ROLE_ARN=arn).parent_role_arn == arn
    longest = "arn:aws:iam::111122223333:role/" + "r" * (2048 - 31)
    assert len(longest) == 2048 and load(PARENT_ROLE_ARN=longest).parent_role_arn == longest
    assert refused(PARENT_ROLE_ARN=longest + "r").variable == "PARENT_ROLE_ARN"
    assert str(refused(PARENT_ROLE_ARN="arn:aws:iam::111122223333:role/é")) == (
        "PARENT_ROLE_ARN must be an IAM role ARN like arn:aws:iam::123456789012:role/NAME, "
        "got 'arn:aws:iam::111122223333:role/é'")


def test_endpoint_names_are_checked_one_by_one_and_case_insensitively_unique():
    assert load(ALLOWED_ENDPOINTS="a" * 63).allowed_endpoints == ("a" * 63,)
    assert load(ALLOWED_ENDPOINTS="a-b--c").allowed_endpoints == ("a-b--c",)
    assert str(refused(ALLOWED_ENDPOINTS="ok,-bad")) == (
        "ALLOWED_ENDPOINTS entry '-bad' is not a SageMaker endpoint name "
        "(1-63 letters, digits and hyphens, starting and ending with a letter or digit)")
    assert str(refused(ALLOWED_ENDPOINTS="ok,")) == "ALLOWED_ENDPOINTS contains an empty entry"
    assert str(refused(ALLOWED_ENDPOINTS="My-Ep,my-ep")) == (
        "ALLOWED_ENDPOINTS entry 'my-ep' is listed twice (names are case-insensitive)")
    assert str(refused(ALLOWED_ENDPOINTS=" ")) == (
        "ALLOWED_ENDPOINTS is required: a comma-separated list of SageMaker endpoint names")


def test_canonical_endpoint_is_the_configured_spelling_or_none():
    cfg = load(ALLOWED_ENDPOINTS="My-Ep,other")
    assert cfg.canonical_endpoint("MY-EP") == "My-Ep"
    assert cfg.canonical_endpoint("other") == "other"
    assert cfg.canonical_endpoint("My-Ep-2") is None


def test_sts_uses_the_functions_region_and_falls_back_to_the_endpoints():
    """AssumeRole goes to the nearest regional STS endpoint: the function's own region
    (AWS_REGION, set by Lambda); only when that is not a region name, the endpoint's."""
    cfg = load(ENDPOINT_REGION="us-east-2")
    assert (cfg.endpoint_region, cfg.sts_region) == ("us-east-2", "eu-west-1")
    assert load(AWS_REGION="not a region", ENDPOINT_REGION="us-east-2").sts_region == "us-east-2"
    no_lambda_region = config.load_config({**{k: v for k, v in BASE.items() if k != "AWS_REGION"},
                                           "ENDPOINT_REGION": "us-gov-west-1"})
    assert (no_lambda_region.endpoint_region, no_lambda_region.sts_region) == ("us-gov-west-1", "us-gov-west-1")


def test_a_bad_aws_region_is_blamed_on_aws_region_when_it_is_the_one_used():
    error = refused(AWS_REGION="eu-west")
    assert str(error) == "AWS_REGION must be an AWS region name like eu-west-1, got 'eu-west'"
    assert str(refused(ENDPOINT_REGION="eu-west")).startswith("ENDPOINT_REGION must be an AWS region name")


def test_a_function_name_of_exactly_two_characters_is_a_valid_session_name():
    assert load(AWS_LAMBDA_FUNCTION_NAME="fn").role_session_name == "fn"
    assert load(AWS_LAMBDA_FUNCTION_NAME="f").role_session_name == config.DEFAULT_SESSION_NAME == "sagemaker-invoker"


def test_log_level_message_shows_at_most_20_characters_of_the_value():
    assert str(refused(LOG_LEVEL="x" * 30)) == f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, got {'x' * 20!r}"


def test_the_budget_refusal_names_the_variable_to_change():
    error = refused(FUNCTION_TIMEOUT_SECONDS="10", MAX_ATTEMPTS="3", READ_TIMEOUT_SECONDS="60")
    assert error.variable == "READ_TIMEOUT_SECONDS"
    assert str(error).startswith("READ_TIMEOUT_SECONDS and MAX_ATTEMPTS allow an invocation to take up to ")


def test_settings_whose_worst_case_is_exactly_the_timeout_fit():
    """budget.py's bound for one attempt: margin 2 s + AssumeRole (connect 3 + STS read 5) +
    InvokeEndpoint (connect 3 + read 10) = 23 s, which a 23 s function timeout holds."""
    fitted = load(FUNCTION_TIMEOUT_SECONDS="23", READ_TIMEOUT_SECONDS="10", MAX_ATTEMPTS="1")
    assert (fitted.read_timeout_seconds, fitted.max_attempts) == (10, 1)
    assert str(refused(FUNCTION_TIMEOUT_SECONDS="22", READ_TIMEOUT_SECONDS="10", MAX_ATTEMPTS="1")) == (
        "READ_TIMEOUT_SECONDS and MAX_ATTEMPTS allow an invocation to take up to 23 s (READ_TIMEOUT_SECONDS=10, "
        "MAX_ATTEMPTS=1, CONNECT_TIMEOUT_SECONDS=3), longer than FUNCTION_TIMEOUT_SECONDS=22; "
        "lower them or raise the function's timeout")


def test_sts_client_timeouts_retries_and_regional_endpoint_even_under_legacy(lambda_env):
    """STS: regional endpoints are recommended; AWS_STS_REGIONAL_ENDPOINTS=legacy would send
    us-east-1 (and other legacy regions) to the global endpoint sts.amazonaws.com (AWS SDKs
    and Tools Reference Guide, "AWS STS Regional endpoints"). The function pins regional."""
    lambda_env.setenv("AWS_REGION", "us-east-1")
    lambda_env.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")
    lambda_env.setenv("CONNECT_TIMEOUT_SECONDS", "2.5")
    lambda_env.setenv("MAX_ATTEMPTS", "4")
    sts = parent_access.for_config(config.get_config()).sts
    assert sts.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
    assert sts.meta.region_name == "us-east-1"
    assert (sts.meta.config.connect_timeout, sts.meta.config.read_timeout) == (2.5, budget.STS_READ_TIMEOUT_SECONDS)
    assert sts.meta.config.retries == {"mode": "standard", "total_max_attempts": 4}


def test_the_runtime_client_says_who_is_calling(lambda_env):
    from sagemaker_invoker import __version__

    runtime = parent_access.for_config(config.get_config()).sagemaker
    assert f"sagemaker-invoker/{__version__}" in runtime.meta.config.user_agent_extra


def test_a_missing_role_or_region_is_named_with_its_rule():
    without_role = {key: value for key, value in BASE.items() if key != "PARENT_ROLE_ARN"}
    with pytest.raises(config.ConfigurationError) as caught:
        config.load_config(without_role)
    assert str(caught.value) == "PARENT_ROLE_ARN is required: the ARN of the role to assume in the parent account"
    without_region = {key: value for key, value in BASE.items() if key != "AWS_REGION"}
    with pytest.raises(config.ConfigurationError) as caught:
        config.load_config(without_region)
    assert str(caught.value) == "ENDPOINT_REGION is required when AWS_REGION is not set"


# With CONNECT_TIMEOUT_SECONDS=3, budget.py's worst case for read timeout r is 13 + r s with one
# attempt, 36 + 2r with two and 61 + 3r with three (margin 2 s; AssumeRole attempts of 3 + 5 s;
# back-off of 1 + 5 s before the second attempt and 2 + 5 s before the third).
BUDGET_CHOICES = [
    # An explicit read timeout keeps as many attempts as fit: 3 need 91 s, 2 need 56 s.
    ("read-set-two-attempts-fit", {"FUNCTION_TIMEOUT_SECONDS": "60", "READ_TIMEOUT_SECONDS": "10"}, (10, 2)),
    ("read-set-two-attempts-exactly-fit", {"FUNCTION_TIMEOUT_SECONDS": "56", "READ_TIMEOUT_SECONDS": "10"}, (10, 2)),
    # Explicit attempts take the read timeout that is left, down to READ_TIMEOUT_SECONDS' minimum of 1 s.
    ("attempts-set-one-second-left", {"FUNCTION_TIMEOUT_SECONDS": "64", "MAX_ATTEMPTS": "3"}, (1.0, 3)),
    # Derived: a read timeout of 60 s covers a full-length inference (SageMaker's limit), so three attempts.
    ("derived-read-exactly-60", {"FUNCTION_TIMEOUT_SECONDS": "241"}, (60.0, 3)),
    # Derived: one attempt has 87 s, but no read timeout longer than SageMaker's 60 s plus 5 s is chosen.
    ("derived-one-attempt-capped-at-65", {"FUNCTION_TIMEOUT_SECONDS": "100"}, (65.0, 1)),
]


@pytest.mark.parametrize("env, chosen", [c[1:] for c in BUDGET_CHOICES], ids=[c[0] for c in BUDGET_CHOICES])
def test_the_budget_at_its_boundaries(env, chosen):
    fitted = load(**env)
    assert (fitted.read_timeout_seconds, fitted.max_attempts) == chosen


@pytest.mark.parametrize("env, message", [
    ({"FUNCTION_TIMEOUT_SECONDS": "22", "READ_TIMEOUT_SECONDS": "10"},
     "READ_TIMEOUT_SECONDS allows, even with one attempt, an invocation to take up to 23 s (READ_TIMEOUT_SECONDS=10, "
     "MAX_ATTEMPTS=1, CONNECT_TIMEOUT_SECONDS=3), longer than FUNCTION_TIMEOUT_SECONDS=22; "
     "lower them or raise the function's timeout"),
    ({"FUNCTION_TIMEOUT_SECONDS": "63", "MAX_ATTEMPTS": "3"},
     "MAX_ATTEMPTS allows an invocation to take up to 64 s (READ_TIMEOUT_SECONDS=1, MAX_ATTEMPTS=3, "
     "CONNECT_TIMEOUT_SECONDS=3), longer than FUNCTION_TIMEOUT_SECONDS=63; lower them or raise the function's timeout"),
], ids=["read-set-not-even-one-attempt", "attempts-set-less-than-one-second-left"])
def test_settings_that_cannot_fit_are_refused_naming_the_one_set(env, message):
    assert str(refused(**env)) == message
