"""The event contract at its edges (lambda_src/sagemaker_invoker/contract.py), checked on
``parse_event`` directly: no client is built, so each case costs microseconds.

Limits are InvokeEndpoint's (SageMaker Runtime API reference, InvokeEndpoint: Body at most
6 MB, CustomAttributes/Accept/ContentType at most 1024 characters, InferenceId 1 to 64,
TargetModel 1 to 1024, InferenceComponentName and TargetContainerHostname 1 to 63, SessionId
at most 256); base64 is RFC 4648's standard alphabet, which the contract requires strictly.
"""

from __future__ import annotations

import pytest

from sagemaker_invoker import config, contract

pytestmark = pytest.mark.unit

CFG = config.load_config({"PARENT_ROLE_ARN": "arn:aws:iam::111122223333:role/r", "ALLOWED_ENDPOINTS": "My-Ep",
                          "AWS_REGION": "eu-west-1"})


def parse(**event):
    return contract.parse_event(event, CFG)


def refusal(**event) -> contract.InvalidRequest:
    with pytest.raises(contract.InvalidRequest) as caught:
        parse(**event)
    return caught.value


BASE64_RULE = "field 'body_base64' must be standard base64 (A-Z a-z 0-9 + /, '=' padding)"


@pytest.mark.parametrize("text", ["YW-Jj", "YW_Jj", "YWJj\n", "YW Jj", "YW=Jj"])
def test_base64_outside_the_standard_alphabet_is_refused_not_skipped(text):
    """Lenient decoding would drop '-' or whitespace and turn "YW-Jj" into b"abc": the caller's
    bytes would not be the bytes sent."""
    error = refusal(body_base64=text)
    assert (error.field, str(error)) == ("body_base64", BASE64_RULE)


def test_standard_base64_decodes_to_the_exact_bytes_and_marks_the_request_binary():
    request = parse(body_base64="/+8A")
    assert (request.body, request.binary) == (b"\xff\xef\x00", True)
    assert parse(body="text").binary is False


@pytest.mark.parametrize("body", ["\ud800", {"x": "\udfff"}], ids=["string", "inside-json"])
def test_a_lone_surrogate_is_not_unicode_text(body):
    """A lone surrogate cannot be encoded as UTF-8, the encoding the body is sent in."""
    error = refusal(body=body)
    assert (error.field, str(error)) == ("body", "field 'body' must be valid Unicode text (it is sent as UTF-8)")


def test_non_finite_numbers_are_not_json():
    error = refusal(body=[1, float("inf")])
    assert str(error) == "field 'body' must be JSON-serialisable (NaN and Infinity are not JSON)"


def test_a_json_body_is_compact_and_keeps_non_ascii_characters():
    assert parse(body={"a": "é", "b": [1, 2.5, False]}).body == '{"a":"é","b":[1,2.5,false]}'.encode()
    assert parse(body=0).body == b"0"


def test_json_types_are_named_in_the_messages():
    assert str(refusal(body=None)) == (
        "field 'body' must be a string or a JSON object, array, number or boolean, got null")
    assert str(refusal(body={1, 2})) == (
        "field 'body' must be a string or a JSON object, array, number or boolean, got set")
    assert str(contract.InvalidRequest("x", "m")) == "m"
    assert str(refusal(body="a", accept=("a",))) == "field 'accept' must be a string, got array"


def test_an_empty_body_names_the_field_it_came_from():
    assert str(refusal(body="")) == "field 'body' is empty; InvokeEndpoint needs a non-empty body"
    error = refusal(body_base64="")
    assert (error.field, str(error)) == ("body_base64", "field 'body_base64' is empty; InvokeEndpoint needs a non-empty body")


def test_the_size_limit_is_6_mib_of_encoded_bytes():
    assert contract.MAX_BODY_BYTES == 6 * 1024 * 1024
    assert len(parse(body="x" * contract.MAX_BODY_BYTES).body) == contract.MAX_BODY_BYTES
    error = refusal(body="x" * (contract.MAX_BODY_BYTES + 1))
    assert str(error) == "field 'body' encodes to 6291457 bytes; InvokeEndpoint accepts at most 6291456"


def test_the_nesting_limit_is_128_levels():
    assert contract.MAX_BODY_DEPTH == 128

    def nested(depth):
        value = 1
        for _ in range(depth):
            value = [value]
        return value

    assert parse(body=nested(128)).body.count(b"[") == 128
    assert str(refusal(body=nested(129))) == "field 'body' nests arrays/objects more than 128 levels deep"
    # With more brackets than the limit the body is walked: 128 levels beside siblings pass.
    at_limit = [nested(127), [], []]
    assert parse(body=at_limit).body.count(b"[") == 130
    assert str(refusal(body=[nested(128), []])) == "field 'body' nests arrays/objects more than 128 levels deep"
    # Many brackets side by side are not depth: 200 sibling arrays nest two levels.
    assert parse(body={"k": [[] for _ in range(200)]}).body.count(b"[") == 201


@pytest.mark.parametrize("field, limit", [("content_type", 1024), ("accept", 1024), ("custom_attributes", 1024),
                                          ("enable_explanations", 64)])
def test_header_fields_at_their_length_limits(field, limit):
    assert getattr(parse(body="a", **{field: "v" * limit}), field) == "v" * limit
    error = refusal(body="a", **{field: "v" * (limit + 1)})
    assert str(error) == f"field '{field}' must be 1 to {limit} characters, got {limit + 1}"
    assert str(refusal(body="a", **{field: "\x7f"})) == f"field '{field}' must contain only printable ASCII characters"


def test_content_type_defaults_to_json():
    assert parse(body="a").content_type == contract.DEFAULT_CONTENT_TYPE == "application/json"
    assert parse(body="a", content_type="text/csv").content_type == "text/csv"


def test_routing_fields_at_their_limits():
    request = parse(body="a", inference_id="~" + " " * 63, target_model="m" * 1024,
                    target_container_hostname="h" * 63, inference_component_name="c" * 63, session_id="s" * 256,
                    prefix_aware_id="p" * 64, target_variant="v" * 63)
    kwargs = request.invoke_kwargs()
    assert (len(kwargs["InferenceId"]), len(kwargs["TargetModel"]), len(kwargs["SessionId"])) == (64, 1024, 256)
    assert (kwargs["TargetContainerHostname"], kwargs["InferenceComponentName"]) == ("h" * 63, "c" * 63)
    assert kwargs["PrefixAwareId"] == "p" * 64 and kwargs["TargetVariant"] == "v" * 63
    assert str(refusal(body="a", session_id="s" * 257)) == (
        "field 'session_id' must be NEW_SESSION or a session id (1-256 letters, digits and hyphens, "
        "starting and ending with a letter or digit)")
    assert str(refusal(body="a", inference_id=" x")) == (
        "field 'inference_id' must be 1 to 64 printable ASCII characters, not starting with a space")


def test_new_session_only_without_streaming():
    assert parse(body="a", session_id="NEW_SESSION").session_id == contract.NEW_SESSION == "NEW_SESSION"
    error = refusal(body="a", session_id="NEW_SESSION", stream=True)
    assert str(error) == ("field 'session_id' cannot be NEW_SESSION with 'stream': true "
                          "(open the session with a synchronous call first)")


@pytest.mark.parametrize("field", contract.NOT_STREAMED)
def test_fields_streaming_has_no_parameter_for_are_refused_with_stream(field):
    error = refusal(body="a", stream=True, **{field: "x"})
    assert (error.field, str(error)) == (field, f"field '{field}' is not accepted with 'stream': true "
                                                "(InvokeEndpointWithResponseStream has no such parameter)")


def test_stream_must_be_a_boolean():
    assert str(refusal(body="a", stream="true")) == "field 'stream' must be a boolean, got string"
    assert parse(body="a", stream=True).stream is True


def test_unknown_fields_are_listed_sorted_and_cut_to_80_characters():
    error = refusal(body="a", zz=1, **{"y" * 100: 2})
    assert error.field == "y" * 100
    assert str(error) == ("unknown field(s): " + repr("y" * 80) + ", 'zz'; allowed fields: " + ", ".join(contract.FIELDS))


def test_a_disallowed_endpoint_is_echoed_at_most_80_characters():
    error = refusal(endpoint="e" * 100, body="a")
    assert str(error) == f"field 'endpoint' {'e' * 80!r} is not an allowed endpoint; allowed: My-Ep"


def test_invoke_kwargs_carry_only_the_fields_given():
    assert parse(endpoint="my-ep", body="a").invoke_kwargs() == {
        "EndpointName": "My-Ep", "Body": b"a", "ContentType": "application/json"}
