"""Lambda invocation that runs the deployed handler, without Docker.

moto runs function code only in Docker, which this project cannot assume. The replacement
for `LambdaFunction._invoke_lambda` unpacks the uploaded zip, mints credentials for the
function's execution role through moto's STS (as Lambda does), and runs the handler in a
fresh Python process with only the function's environment, the region, those credentials
and AWS_ENDPOINT_URL pointing at the emulator, under the function's timeout.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import platform
import re
import tempfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, unquote

from moto.awslambda import models as lambda_models
from moto.awslambda import responses as lambda_responses
from moto.sts.models import sts_backends

from xacct.emulator.errors import AwsError, json_error
from xacct.emulator.identity import PARTITION
from xacct.emulator.state import STATE

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")
MAX_PAYLOAD_BYTES = 6_291_456  # synchronous invocation limit, each way
# Invoke: "For asynchronous invocations, the maximum payload size is 1 MB."
MAX_EVENT_PAYLOAD_BYTES = 1_048_576
LOG_TAIL_BYTES = 4096  # Invoke's LogResult: "The last 4 KB of the execution log, which is base64-encoded."
# Invoke's answer per InvocationType (Lambda API reference, Invoke, StatusCode): DryRun only
# checks the function and the caller's permission; Event queues the function and answers at once.
ACCEPTED_WITHOUT_RUNNING = {"DryRun": 204, "Event": 202}


class LambdaRunner:
    def __init__(self, endpoint_url: str, log=None):
        self.endpoint_url = endpoint_url
        self.log = log or sys.stderr
        self.code_root = Path(tempfile.mkdtemp(prefix="xacct-lambda-code-"))

    def close(self) -> None:
        shutil.rmtree(self.code_root, ignore_errors=True)

    def code_dir(self, code_bytes: bytes) -> Path:
        """Unpack each distinct zip once; later invocations reuse it like a warm container."""
        target = self.code_root / hashlib.sha256(code_bytes).hexdigest()[:16]
        if not target.exists():
            staging = Path(tempfile.mkdtemp(dir=self.code_root))
            zipfile.ZipFile(io.BytesIO(code_bytes)).extractall(staging)
            staging.rename(target)
        return target

    def execution_credentials(self, function) -> dict[str, str]:
        session = sts_backends[function.account_id][PARTITION].assume_role(
            region_name=function.region,
            role_session_name=function.function_name[:64],
            role_arn=function.role,
            policy=None,
            duration=3600,
            external_id=None,
        )
        return {
            "AWS_ACCESS_KEY_ID": session.access_key_id,
            "AWS_SECRET_ACCESS_KEY": session.secret_access_key,
            "AWS_SESSION_TOKEN": session.session_token,
        }

    def report_runtime(self, function) -> None:
        """Say which runtime the function declares and which interpreter runs it: they can differ here."""
        interpreter = f"python{sys.version_info.major}.{sys.version_info.minor}"
        entry = {"account": function.account_id, "action": "emulator:RunFunction", "function": function.function_arn,
                 "declared_runtime": function.run_time, "interpreter": interpreter,
                 "interpreter_version": platform.python_version()}
        STATE.record(entry)
        note = "" if function.run_time == interpreter else " (not the declared runtime: code that needs it may behave differently)"
        print(f"emulator: {function.function_arn} declares runtime {function.run_time}; "
              f"running it with Python {platform.python_version()}{note}", file=self.log, flush=True)

    def invoke(self, function, event) -> tuple[str, bool, str]:
        """Returns (payload, errored, logs) as moto's _invoke_lambda does."""
        payload = json.dumps(event if event is not None else {})  # the request's size is checked in parse_invoke
        self.report_runtime(function)
        with tempfile.TemporaryDirectory(prefix="xacct-invoke-") as tmp:
            result_file = Path(tmp) / "result.json"
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "LANG": "C.UTF-8",
                **{k: str(v) for k, v in (function.environment_vars or {}).items()},
                **self.execution_credentials(function),
                "AWS_REGION": function.region,
                "AWS_DEFAULT_REGION": function.region,
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size),
                "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
                "EMULATOR_FUNCTION_ARN": function.function_arn,
                "EMULATOR_RESULT_FILE": str(result_file),
                "_HANDLER": function.handler,
            }
            try:
                process = subprocess.run(
                    [sys.executable, "-I", "-B", str(BOOTSTRAP)],  # -I: the code dir, not ours, is on sys.path
                    input=payload, capture_output=True, text=True, env=env,
                    cwd=self.code_dir(function.code_bytes), timeout=float(function.timeout),
                )
                logs = process.stdout + process.stderr
            except subprocess.TimeoutExpired as expired:
                logs = (expired.stdout or "") + (expired.stderr or "")
                return _error("Sandbox.Timedout", f"Task timed out after {float(function.timeout):.2f} seconds"), True, str(logs)
            if not result_file.exists():
                return _error("Runtime.ExitError", f"RequestId: runtime exited with status {process.returncode}"), True, logs
            outcome = json.loads(result_file.read_text())
        if "error" in outcome:
            return json.dumps(outcome["error"]), True, logs
        result = json.dumps(outcome["result"])
        if len(result.encode()) > MAX_PAYLOAD_BYTES:
            return _error("Function.ResponseSizeTooLarge", f"Response payload size exceeded maximum allowed payload size ({MAX_PAYLOAD_BYTES} bytes)."), True, logs
        return result, False, logs


def _error(error_type: str, message: str) -> str:
    return json.dumps({"errorType": error_type, "errorMessage": message})


QUALIFIER = re.compile(r"^(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9_$-]+)$")  # botocore's Invoke model: 1 to 128 characters


def parse_invoke(path: str, query: str, body: bytes) -> tuple[str, str | None, bytes]:
    """(function name, qualifier, payload) of an Invoke, each from where the Lambda API puts it.

    FunctionName is a URI path segment and Qualifier a query-string parameter (Lambda API
    reference, Invoke; botocore's service model gives the same locations). Nothing in the
    payload can name another function or version. Raises AwsError for what Lambda refuses.
    """
    function_name = unquote(path.rstrip("/").rsplit("/", 2)[-2])
    qualifiers = parse_qs(query, keep_blank_values=True).get("Qualifier")
    qualifier = qualifiers[0] if qualifiers else None
    if qualifier is not None and (len(qualifier) > 128 or not QUALIFIER.match(qualifier)):
        raise json_error(400, "ValidationException",
                         f"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)")
    if len(body) > MAX_PAYLOAD_BYTES:
        raise _payload_too_large(MAX_PAYLOAD_BYTES)
    if not body.strip():
        return function_name, qualifier, b"{}"  # no payload: the function receives an empty object
    try:
        json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise json_error(400, "InvalidRequestContentException",
                         f"Could not parse request body into json: Could not parse payload into json: {error}")
    return function_name, qualifier, body


def _payload_too_large(limit: int) -> AwsError:
    # AWS's own answer (code and message) for a synchronous payload over its 6 MB; the
    # asynchronous quota is assumed to be refused in the same words.
    return json_error(413, "RequestEntityTooLargeException",
                      f"Request must be smaller than {limit} bytes for the InvokeFunction operation")


def invoke_response(self):
    """LambdaResponse.invoke: parse as Lambda does, run the function, answer as Lambda does."""
    raw = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
    try:
        function_name, qualifier, payload = parse_invoke(self.path, self.parsed_url.query, raw)
    except AwsError as error:
        return error.as_response()
    response_headers: dict[str, str] = {}
    invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if invocation_type == "Event" and len(raw) > MAX_EVENT_PAYLOAD_BYTES:
        return _payload_too_large(MAX_EVENT_PAYLOAD_BYTES).as_response()
    if invocation_type in ACCEPTED_WITHOUT_RUNNING:
        function = self.backend.get_function(function_name, qualifier)
        if invocation_type == "Event":
            threading.Thread(target=function.invoke, args=(payload, {"x-amz-invocation-type": "Event"}, {}),
                             name=f"event-{function.function_name}", daemon=True).start()
        status = ACCEPTED_WITHOUT_RUNNING[invocation_type]
        return status, {"status": status, "content-type": "application/json"}, b""
    # An unknown function or version raises moto's ResourceNotFoundException (404), as Lambda
    # answers (also get_function above).
    result = self.backend.invoke(function_name, qualifier, payload, self.headers, response_headers)
    if result is None:
        return json_error(404, "ResourceNotFoundException", f"Function not found: {function_name}").as_response()
    if "x-amz-function-error" in response_headers:
        response_headers["x-amz-function-error"] = "Unhandled"  # an exception escaped the handler
    if self.headers.get("X-Amz-Log-Type") != "Tail":
        response_headers.pop("x-amz-log-result", None)
    elif "x-amz-log-result" in response_headers:  # the whole log would not even fit in an HTTP header
        tail = base64.b64decode(response_headers["x-amz-log-result"])[-LOG_TAIL_BYTES:]
        response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    response_headers["content-type"] = "application/json"
    return 200, response_headers, result


_moto_setup_class = lambda_responses.LambdaResponse.setup_class


def setup_class(self, request, full_url=None, headers=None, use_raw_body=None):
    """Keep an Invoke payload as bytes: moto would decode it as UTF-8 and fail with a 500 before
    Invoke could answer InvalidRequestContentException."""
    if use_raw_body is None and request.path.rstrip("/").endswith("/invocations"):
        use_raw_body = True
    return _moto_setup_class(self, request, full_url, headers, use_raw_body)


def install(runner: LambdaRunner) -> None:
    def _invoke_lambda(self, event=None):
        return runner.invoke(self, event)

    lambda_responses.LambdaResponse.setup_class = setup_class

    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda
    lambda_responses.LambdaResponse.invoke = invoke_response
