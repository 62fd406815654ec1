"""Every answer carries one request ID, in one x-amzn-RequestId header.

Specification: AWS SDKs read the request ID of JSON and REST-JSON services (Lambda,
SageMaker Runtime) from the x-amzn-RequestId response header (botocore's parsers;
AWS Lambda API reference, "Common Parameters"/"Invoke" errors; Amazon SageMaker Runtime
API reference, "InvokeEndpoint" errors). An error answered with two such headers reaches
the SDK joined ("id-1, id-2") as ResponseMetadata.RequestId, which matches no request.
"""

from __future__ import annotations

import pytest

from tests.unit.iam_world import admin

pytestmark = pytest.mark.unit


def request_id_of(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(Exception) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["RequestId"]


def test_a_missing_endpoint_error_has_one_request_id():
    code, request_id = request_id_of(admin("sagemaker-runtime", "parent").invoke_endpoint,
                                     EndpointName="no-such-endpoint", Body=b"{}", ContentType="application/json")
    assert code == "ValidationError"
    assert request_id and "," not in request_id


def test_an_invalid_lambda_payload_error_has_one_request_id():
    code, request_id = request_id_of(admin("lambda").invoke, FunctionName="no-such-function", Payload=b"not json")
    assert code == "InvalidRequestContentException"
    assert request_id and "," not in request_id
