"""Runs one Lambda invocation the way the Python runtime does, in a fresh process.

Started by the emulator with the function's code directory as working directory, the
event on stdin, and the function's environment. Writes {"result": ...} or {"error": ...}
as JSON to the file named by EMULATOR_RESULT_FILE; everything the handler prints is the
invocation's log.
"""

import importlib
import json
import os
import sys
import time
import traceback
import uuid


class LambdaContext:
    def __init__(self, deadline: float):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = os.environ["EMULATOR_FUNCTION_ARN"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    deadline = time.monotonic() + float(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
    sys.path.insert(0, os.getcwd())
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    outcome: dict
    try:
        event = json.loads(sys.stdin.read() or "{}")
        handler = getattr(importlib.import_module(module_name), function_name)
        outcome = {"result": handler(event, LambdaContext(deadline))}
        json.dumps(outcome)  # an unserialisable result is the handler's error, as in AWS
    except Exception as error:  # reported to the caller as the function's error
        traceback.print_exc()
        outcome = {"error": {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "stackTrace": traceback.format_tb(error.__traceback__),
        }}
    with open(os.environ["EMULATOR_RESULT_FILE"], "w") as out:
        json.dump(outcome, out)


if __name__ == "__main__":
    main()
