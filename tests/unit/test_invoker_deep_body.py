"""A deeply nested JSON body is the caller's mistake: 400 InvalidRequest naming "body", never a 500.

Python's JSON encoder recurses once per level and raises RecursionError near the interpreter's
recursion limit (about 1,000 levels, less with the handler's own frames), which used to surface
as 500 InternalError. The contract now has an explicit limit (contract.MAX_BODY_DEPTH levels),
checked before any AWS call, and the same 400 whatever the interpreter's limit.
"""

from __future__ import annotations

import types

import pytest

from sagemaker_invoker import config, contract, handler, parent_access
from tests.unit.fakes import HappyAws, lambda_env, no_network  # noqa: F401 (autouse fixtures)

pytestmark = pytest.mark.unit


def nested(depth: int, kind: str = "array"):
    """A JSON value whose arrays (or objects) nest ``depth`` levels deep, built without recursion."""
    value = 1
    for _ in range(depth):
        value = [value] if kind == "array" else {"k": value}
    return value


@pytest.fixture
def aws(lambda_env):
    return HappyAws(parent_access.for_config(config.get_config()))


@pytest.mark.parametrize("depth", [contract.MAX_BODY_DEPTH + 1, 1000, 5000])
@pytest.mark.parametrize("kind", ["array", "object"])
def test_a_body_nested_too_deeply_is_a_400_naming_the_field(aws, depth, kind):
    result = handler.lambda_handler({"body": nested(depth, kind)}, types.SimpleNamespace(aws_request_id="r"))

    assert result == {
        "statusCode": 400,
        "error": {
            "code": "InvalidRequest",
            "message": f"field 'body' nests arrays/objects more than {contract.MAX_BODY_DEPTH} levels deep",
            "stage": "validation",
            "retryable": False,
            "field": "body",
        },
    }
    assert (aws.assume_role_calls, aws.invoked_bodies) == (0, [])


def test_a_body_at_the_limit_is_sent(aws):
    body = nested(contract.MAX_BODY_DEPTH)
    result = handler.lambda_handler({"body": body}, types.SimpleNamespace(aws_request_id="r"))
    assert result["statusCode"] == 200, result
    assert aws.invoked_bodies == [("[" * contract.MAX_BODY_DEPTH + "1" + "]" * contract.MAX_BODY_DEPTH).encode()]
