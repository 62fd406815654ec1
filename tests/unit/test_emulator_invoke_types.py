"""Lambda Invoke answers per invocation type and log type, as the Lambda API documents them.

Specification: AWS Lambda API reference, "Invoke". Response, StatusCode: "For the
RequestResponse invocation type, this status code is 200. For the Event invocation type,
this status code is 202. For the DryRun invocation type, the status code is 204."
Request, InvocationType: DryRun validates the parameters and the caller's permission
without running the function; Event queues the function and answers at once.
Response, LogResult: "The last 4 KB of the execution log, which is base64-encoded."
Payload: "For synchronous invocations, the maximum payload size is 6 MB. For asynchronous
invocations, the maximum payload size is 1 MB."
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

import pytest

from tests.unit.iam_world import admin, doc, emulator, error_of, make_role, trust_statement, unique

pytestmark = pytest.mark.unit

LOG_LINES = 2000  # about 60 KB of log: more than an HTTP header holds, far more than 4 KB


def code_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n"
                                     f"    for line in range({LOG_LINES}):\n"
                                     "        print(f'log line {line:05d} ' + 'x' * 20)\n"
                                     "    return {'echo': event}\n")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def function():
    role = make_role("child", doc(trust_statement({"Service": "lambda.amazonaws.com"})))
    return admin("lambda").create_function(FunctionName=unique("types"), Runtime="python3.8", Role=role["Arn"],
                                           Handler="index.handler", Code={"ZipFile": code_zip()})


def runs_of(function_arn: str) -> int:
    return sum(1 for entry in emulator().journal()
               if entry.get("action") == "emulator:RunFunction" and entry.get("function") == function_arn)


def test_request_response_answers_200_with_the_result(function):
    """The control: a synchronous invoke runs the function and returns its result."""
    answer = admin("lambda").invoke(FunctionName=function["FunctionName"], Payload=b'{"n": 1}')
    assert answer["StatusCode"] == 200
    assert json.loads(answer["Payload"].read()) == {"echo": {"n": 1}}


def test_dry_run_answers_204_without_running_the_function(function):
    before = runs_of(function["FunctionArn"])
    answer = admin("lambda").invoke(FunctionName=function["FunctionName"], InvocationType="DryRun", Payload=b"{}")
    assert answer["StatusCode"] == 204
    assert answer["Payload"].read() == b""
    assert "LogResult" not in answer and "FunctionError" not in answer
    time.sleep(0.5)
    assert runs_of(function["FunctionArn"]) == before


def test_dry_run_of_an_unknown_function_is_resource_not_found(function):
    assert error_of(admin("lambda").invoke, FunctionName=function["FunctionName"], Qualifier="9",
                    InvocationType="DryRun")["status"] == 404


def test_event_answers_202_at_once_and_runs_the_function(function):
    before = runs_of(function["FunctionArn"])
    answer = admin("lambda").invoke(FunctionName=function["FunctionName"], InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    deadline = time.monotonic() + 20
    while runs_of(function["FunctionArn"]) == before:
        assert time.monotonic() < deadline, "the queued invocation never ran"
        time.sleep(0.2)


def test_tail_log_result_is_the_last_4_kb_of_the_log(function):
    """Without the cut the whole log went into the X-Amz-Log-Result header, longer than an
    HTTP client accepts: the CLI saw the connection close and retried."""
    answer = admin("lambda").invoke(FunctionName=function["FunctionName"], LogType="Tail", Payload=b"{}")
    log = base64.b64decode(answer["LogResult"]).decode()
    assert len(log) == 4096
    assert log.rstrip().endswith(f"log line {LOG_LINES - 1:05d} " + "x" * 20)
    assert json.loads(answer["Payload"].read()) == {"echo": {}}


def payload_of(size: int) -> bytes:
    """A JSON payload of exactly ``size`` bytes."""
    return json.dumps({"k": "x" * (size - len(json.dumps({"k": ""})))}).encode()


def test_an_event_payload_is_limited_to_1_mb_and_a_synchronous_one_is_not(function):
    name = function["FunctionName"]
    assert len(payload_of(1_048_576)) == 1_048_576
    assert admin("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=payload_of(1_048_576))[
        "StatusCode"] == 202
    error = error_of(admin("lambda").invoke, FunctionName=name, InvocationType="Event", Payload=payload_of(1_048_577))
    assert (error["status"], error["code"]) == (413, "RequestEntityTooLargeException")
    assert error["message"] == "Request must be smaller than 1048576 bytes for the InvokeFunction operation"
    assert admin("lambda").invoke(FunctionName=name, Payload=payload_of(1_048_577))["StatusCode"] == 200
