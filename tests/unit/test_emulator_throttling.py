"""Rate limits in the emulator: token buckets per account and API, answered as AWS answers them.

AWS documents the answers ("IAM and AWS STS quotas": AssumeRole requests over the account's
rate are refused with `Throttling` "Rate exceeded"; "InvokeEndpoint" in the SageMaker runtime
API reference: `ThrottlingException`, HTTP 400), and the Boto3 guide "Retries" lists both
codes among the throttling errors that every retry mode retries.
"""

from __future__ import annotations

import json

import botocore.exceptions
import pytest

from xacct.bench import provision
from xacct.emulator.client import EmulatorProcess
from xacct.emulator.throttling import LimitError, Throttles, TokenBucket, throttling_error


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.mark.unit
def test_a_bucket_allows_its_burst_then_its_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate_per_second=2, burst=3, clock=clock)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one token back at 2 per second
    assert [bucket.take() for _ in range(2)] == [True, False]
    clock.now += 60  # refills to the burst, never beyond
    assert sum(bucket.take() for _ in range(10)) == 3


@pytest.mark.unit
def test_limits_are_per_account_and_per_api():
    clock = FakeClock()
    throttles = Throttles(clock)
    throttles.set("222222222222", "sts:AssumeRole", 1, 1)
    assert throttles.admit("222222222222", "sts:AssumeRole") is None
    assert throttles.admit("222222222222", "sts:AssumeRole") == "sts:AssumeRole"
    assert throttles.admit("333333333333", "sts:AssumeRole") is None, "another account has its own quota"
    assert throttles.admit("222222222222", "sagemaker:InvokeEndpoint") is None, "another API is not limited"
    assert throttles.admit("222222222222", "sts:GetCallerIdentity") is None, "only metered APIs are limited"
    throttles.set("111111111111", "sagemaker:InvokeEndpoint", 1, 1)
    assert throttles.admit("111111111111", "sagemaker:InvokeEndpointWithResponseStream") is None
    assert throttles.admit("111111111111", "sagemaker:InvokeEndpoint") == "sagemaker:InvokeEndpoint", \
        "a streamed invocation uses the same endpoint capacity"
    throttles.clear()
    assert throttles.admit("222222222222", "sts:AssumeRole") is None


@pytest.mark.unit
@pytest.mark.parametrize("field, value, message", [
    ("account", "parent", "\"account\" must be a 12-digit account ID"),
    ("api", "sts:GetCallerIdentity", "\"api\" must be one of sagemaker:InvokeEndpoint, sts:AssumeRole"),
    ("rate_per_second", 0, "\"rate_per_second\" must be a number above 0"),
    ("burst", 0.5, "\"burst\" must be a whole number of at least 1"),
])
def test_a_limit_naming_a_wrong_value_is_refused_with_the_field(field, value, message):
    limit = {"account": "222222222222", "api": "sts:AssumeRole", "rate_per_second": 5, "burst": 5, field: value}
    with pytest.raises(LimitError) as error:
        Throttles().set(**limit)
    assert str(error.value) == message


@pytest.mark.unit
def test_the_answers_have_each_service_s_shape():
    sts = throttling_error("sts:AssumeRole")
    assert sts.code == 400 and sts.headers["Content-Type"] == "text/xml"
    assert "<Code>Throttling</Code><Message>Rate exceeded</Message>" in sts.description
    runtime = throttling_error("sagemaker:InvokeEndpoint")
    assert runtime.code == 400 and runtime.headers["x-amzn-ErrorType"] == "ThrottlingException"
    assert json.loads(runtime.description) == {"__type": "ThrottlingException", "message": "Rate exceeded"}


@pytest.fixture(scope="module")
def emu():
    with EmulatorProcess() as emulator:
        env = provision(emulator)
        yield emulator, env


def _child_sts(emu, attempts: int):
    return emu.client("sts", "child", retries={"mode": "standard", "total_max_attempts": attempts})


@pytest.mark.emulator
def test_assume_role_over_the_limit_is_throttled_as_sts_does_and_journalled(emu):
    emulator, env = emu
    emulator.clear_journal()
    emulator.set_throttle("child", "sts:AssumeRole", rate_per_second=0.01, burst=1)
    try:
        sts = _child_sts(emulator, 1)
        call = dict(RoleArn=env["PARENT_ROLE_ARN"], RoleSessionName="throttle-test", ExternalId=env["EXTERNAL_ID"])
        sts.assume_role(**call)
        with pytest.raises(botocore.exceptions.ClientError) as error:
            sts.assume_role(**call)
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error.value.response["Error"]["Code"] == "Throttling"
        assert error.value.response["Error"]["Message"] == "Rate exceeded"
        assert emulator.client("sts", "parent").get_caller_identity()["Account"] == emulator.accounts["parent"].id
        throttled = [e for e in emulator.journal() if e.get("throttled")]
        assert throttled == [{"account": emulator.accounts["child"].id, "action": "sts:AssumeRole", "throttled": True}]
        assert emulator.control("GET", "throttles") == [{"account": emulator.accounts["child"].id,
                                                         "api": "sts:AssumeRole", "rate_per_second": 0.01, "burst": 1}]
    finally:
        emulator.clear_throttles()
    assert emulator.control("GET", "throttles") == []


@pytest.mark.emulator
def test_botocore_retries_a_throttled_call_and_gets_through_when_tokens_return(emu):
    emulator, env = emu
    emulator.set_throttle("child", "sts:AssumeRole", rate_per_second=5, burst=1)
    try:
        sts = _child_sts(emulator, 10)
        call = dict(RoleArn=env["PARENT_ROLE_ARN"], RoleSessionName="throttle-test", ExternalId=env["EXTERNAL_ID"])
        sts.assume_role(**call)
        answer = sts.assume_role(**call)  # the bucket is empty: the first attempt is throttled
        assert answer["ResponseMetadata"]["RetryAttempts"] >= 1
    finally:
        emulator.clear_throttles()


@pytest.mark.emulator
def test_invoke_endpoint_over_the_limit_is_a_throttling_exception(emu):
    emulator, env = emu
    emulator.clear_journal()
    emulator.set_throttle("parent", "sagemaker:InvokeEndpoint", rate_per_second=0.01, burst=1)
    try:
        runtime = emulator.client("sagemaker-runtime", "parent", retries={"mode": "standard", "total_max_attempts": 2})
        runtime.invoke_endpoint(EndpointName=env["ALLOWED_ENDPOINTS"], Body=b"{}", ContentType="application/json")
        with pytest.raises(botocore.exceptions.ClientError) as error:
            runtime.invoke_endpoint(EndpointName=env["ALLOWED_ENDPOINTS"], Body=b"{}", ContentType="application/json")
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error.value.response["Error"]["Code"] == "ThrottlingException"
        assert error.value.response["Error"]["Message"] == "Rate exceeded"
        assert error.value.response["ResponseMetadata"]["RetryAttempts"] == 1, "botocore retried it once"
        assert len([e for e in emulator.journal() if e.get("throttled")]) == 2
    finally:
        emulator.clear_throttles()


@pytest.mark.emulator
def test_a_wrong_limit_is_refused_by_the_control_api_naming_the_field(emu):
    emulator, _ = emu
    import requests
    response = requests.put(f"{emulator.endpoint_url}/_emulator/throttles", timeout=10,
                            json={"account": "111111111111", "api": "sts:AssumeRole", "rate_per_second": -1, "burst": 1},
                            headers={"Authorization": f"Bearer {emulator._control_token}"})
    assert response.status_code == 400
    assert response.json() == {"__type": "ValidationException", "message": "\"rate_per_second\" must be a number above 0"}
