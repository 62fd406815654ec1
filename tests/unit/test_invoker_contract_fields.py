"""The invoker's event contract covers every InvokeEndpoint parameter, each with its own rule.

Each rule is InvokeEndpoint's (or InvokeEndpointWithResponseStream's) as botocore's service
model for sagemaker-runtime declares it (location, pattern, length); the SageMaker Runtime
API reference (InvokeEndpoint, InvokeEndpointWithResponseStream) describes the same
members. A failing event names the field and the rule and costs no AWS call: the
`no_network` guard and the fake's counters show that nothing was sent.
"""

from __future__ import annotations

import botocore.session
import pytest

from sagemaker_invoker import handler, parent_access
from sagemaker_invoker.contract import FIELDS, NOT_STREAMED
from tests.unit.fakes import ENDPOINT, HappyAws, header, lambda_env, no_network  # noqa: F401

pytestmark = pytest.mark.unit

BODY = {"body": "hi"}

# (id, event fields, field named, text in the message)
FAILING = [
    ("target_model-not-string", {"target_model": 5}, "target_model", "must be a string"),
    ("target_model-leading-space", {"target_model": " m.tar.gz"}, "target_model", "not starting with a space"),
    ("target_model-too-long", {"target_model": "m" * 1025}, "target_model", "1 to 1024 printable ASCII"),
    ("target_model-control-char", {"target_model": "m\n"}, "target_model", "printable ASCII"),
    ("target_container_hostname-hyphen-first", {"target_container_hostname": "-c1"}, "target_container_hostname",
     "container hostname"),
    ("target_container_hostname-too-long", {"target_container_hostname": "c" * 64}, "target_container_hostname",
     "1-63 letters"),
    ("inference_component_name-hyphen-last", {"inference_component_name": "ic-"}, "inference_component_name",
     "inference component name"),
    ("inference_component_name-underscore", {"inference_component_name": "ic_1"}, "inference_component_name",
     "letters, digits and hyphens"),
    ("inference_component_name-too-long", {"inference_component_name": "i" * 64}, "inference_component_name", "1-63"),
    ("session_id-bad-chars", {"session_id": "abc_def"}, "session_id", "NEW_SESSION or a session id"),
    ("session_id-too-long", {"session_id": "s" * 257}, "session_id", "1-256"),
    ("session_id-new-with-stream", {"session_id": "NEW_SESSION", "stream": True}, "session_id",
     "cannot be NEW_SESSION with 'stream': true"),
    ("enable_explanations-empty", {"enable_explanations": ""}, "enable_explanations", "1 to 64 characters"),
    ("enable_explanations-too-long", {"enable_explanations": "x" * 65}, "enable_explanations", "1 to 64 characters"),
    ("enable_explanations-non-ascii", {"enable_explanations": "\u00e9"}, "enable_explanations", "printable ASCII"),
    ("prefix_aware_id-leading-space", {"prefix_aware_id": " p"}, "prefix_aware_id", "not starting with a space"),
    ("prefix_aware_id-too-long", {"prefix_aware_id": "p" * 65}, "prefix_aware_id", "1 to 64"),
    ("stream-not-boolean", {"stream": "true"}, "stream", "must be a boolean, got string"),
    ("target_model-with-stream", {"target_model": "m.tar.gz", "stream": True}, "target_model",
     "not accepted with 'stream': true"),
    ("enable_explanations-with-stream", {"enable_explanations": "`true`", "stream": True}, "enable_explanations",
     "not accepted with 'stream': true"),
    ("inference_id-leading-space", {"inference_id": " id"}, "inference_id", "not starting with a space"),
    ("target_variant-underscore", {"target_variant": "a_b"}, "target_variant",
     "field 'target_variant' must be a production variant name (1-63 letters, digits and hyphens, "
     "starting and ending with a letter or digit)"),
    ("custom_attributes-too-long", {"custom_attributes": "a" * 1025}, "custom_attributes", "1 to 1024"),
    ("accept-newline", {"accept": "text/plain\r\n"}, "accept", "printable ASCII"),
    ("content_type-empty", {"content_type": ""}, "content_type", "1 to 1024"),
]


@pytest.mark.parametrize("fields,field,text", [c[1:] for c in FAILING], ids=[c[0] for c in FAILING])
def test_each_rule_refuses_a_bad_value_before_any_aws_call(fields, field, text):
    access = parent_access.for_config(handler.config.get_config())
    fake = HappyAws(access)
    result = handler.lambda_handler({**BODY, **fields}, None)
    assert result["statusCode"] == 400, result
    assert result["error"]["code"] == "InvalidRequest"
    assert result["error"]["field"] == field
    assert result["error"]["stage"] == "validation"
    assert text in result["error"]["message"], result["error"]["message"]
    assert fake.assume_role_calls == 0 and fake.invoked_bodies == []


def _members(operation: str) -> set:
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    return set(model.operation_model(operation).input_shape.members)


def _field_of(member: str) -> str:
    """EndpointName -> endpoint, Body -> body, TargetModel -> target_model, ..."""
    special = {"EndpointName": "endpoint", "Body": "body"}
    return special.get(member) or "".join("_" + c.lower() if c.isupper() else c for c in member).lstrip("_")


def members_without_a_field(fields) -> list:
    return sorted(m for m in _members("InvokeEndpoint") if _field_of(m) not in fields)


def test_every_invoke_endpoint_member_has_a_field():
    """A member botocore's model adds to InvokeEndpoint fails this test until the contract covers it."""
    assert members_without_a_field(FIELDS) == []
    not_streamed = _members("InvokeEndpoint") - _members("InvokeEndpointWithResponseStream")
    assert {_field_of(m) for m in not_streamed} == set(NOT_STREAMED)


def test_the_coverage_check_names_a_member_the_contract_lacks():
    """Seeded mistake: the same check on a contract without 'target_model' and 'session_id'."""
    assert members_without_a_field([f for f in FIELDS if f not in ("target_model", "session_id")]) == [
        "SessionId", "TargetModel"]


def test_valid_routing_fields_reach_invoke_endpoint_as_its_headers():
    access = parent_access.for_config(handler.config.get_config())
    sent = []
    # Registered before the fake's answer, so it sees the signed request first.
    access.sagemaker.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint",
                                          lambda request, **kw: sent.append(request))
    HappyAws(access)
    event = {**BODY, "endpoint": ENDPOINT, "target_model": "model-a.tar.gz", "target_container_hostname": "c1",
             "inference_component_name": "ic-1", "session_id": "NEW_SESSION", "enable_explanations": "`true`",
             "target_variant": "v1", "inference_id": "id-1", "custom_attributes": "k=v", "accept": "text/plain",
             "content_type": "text/plain", "prefix_aware_id": "app-1"}
    result = handler.lambda_handler(event, None)
    assert result["statusCode"] == 200, result
    request = sent[-1]
    assert header(request, "X-Amzn-SageMaker-Target-Model") == "model-a.tar.gz"
    assert header(request, "X-Amzn-SageMaker-Target-Container-Hostname") == "c1"
    assert header(request, "X-Amzn-SageMaker-Inference-Component") == "ic-1"
    assert header(request, "X-Amzn-SageMaker-Session-Id") == "NEW_SESSION"
    assert header(request, "X-Amzn-SageMaker-Enable-Explanations") == "`true`"
    assert header(request, "X-Amzn-SageMaker-Target-Variant") == "v1"
    assert header(request, "X-Amzn-SageMaker-Inference-Id") == "id-1"
    assert header(request, "X-Amzn-SageMaker-Prefix-Aware-Id") == "app-1"


def test_a_field_the_runtime_botocore_does_not_know_is_refused_naming_it(monkeypatch):
    """A Lambda runtime ships its own botocore; an older one has no PrefixAwareId parameter."""
    access = parent_access.for_config(handler.config.get_config())
    fake = HappyAws(access)
    members = access.sagemaker.meta.service_model.operation_model("InvokeEndpoint").input_shape.members
    monkeypatch.delitem(members, "PrefixAwareId")
    result = handler.lambda_handler({**BODY, "prefix_aware_id": "app-1"}, None)
    assert result["statusCode"] == 400 and result["error"]["field"] == "prefix_aware_id"
    assert "needs a newer botocore" in result["error"]["message"]
    assert fake.invoked_bodies == []
