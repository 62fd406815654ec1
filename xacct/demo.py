"""`make demo`: the whole path on the local two-account emulator, then the seed's failure.

Starts the emulator, applies examples/two-accounts (parent role + policy, child Lambda),
invokes the Lambda in the child account and prints the endpoint's answer and who called
it, re-applies without the child's sts:AssumeRole grant to show the AccessDenied that
causes, then destroys everything and stops. Ctrl-C at any point still tears down.
"""

from __future__ import annotations

import json
import sys
import time

import tftest

from xacct.emulator.client import EmulatorProcess, EmulatorStartError
from xacct.staging import LeftoverResources, StagedRoot

PREFIX = "demo-"
EXTERNAL_ID = "demo-external-id-1"
# The offline provider (hashicorp/aws 3.39) accepts runtimes up to python3.8; real AWS
# needs a current one, which is the modules' default.
OFFLINE_RUNTIME = "python3.8"


class Progress:
    def __init__(self):
        self.started = time.monotonic()

    def step(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)


def invoke(emulator, function_name: str, event: dict) -> dict:
    response = emulator.client("lambda", "child").invoke(FunctionName=function_name, Payload=json.dumps(event).encode())
    return json.loads(response["Payload"].read())


def run(progress: Progress) -> None:
    progress.step("starting the two-account emulator")
    with EmulatorProcess() as emulator:
        parent, child = emulator.accounts["parent"].id, emulator.accounts["child"].id
        progress.step(f"emulator at {emulator.endpoint_url}: parent account {parent}, child account {child}")
        root = StagedRoot.example("two-accounts", override=emulator.provider_override({"parent": "parent", "child": "child"}))
        variables = {
            "name_prefix": PREFIX, "external_id": EXTERNAL_ID, "create_demo_endpoint": True,
            "demo_endpoint_name": "demo-echo", "demo_model_image": f"{parent}.dkr.ecr.us-east-1.amazonaws.com/echo:1",
            "lambda_runtime": OFFLINE_RUNTIME,
        }
        with root:
            root.set_vars(variables)
            progress.step("terraform init (examples/two-accounts)")
            root.init()
            progress.step("terraform apply: endpoint, role and policy in the parent; Lambda and its grant in the child")
            root.apply()
            outputs = root.outputs()
            progress.step(f"invoking {outputs['function_name']} in the child account")
            result = invoke(emulator, outputs["function_name"], {"endpoint": "demo-echo", "body": {"instances": [[1.0, 2.0, 3.0]]},
                                                                 "custom_attributes": "trace-id=demo-1"})
            seen = emulator.invocations()[-1]  # what the endpoint received, from the emulator's journal
            print(f"\n  status:   {result.get('statusCode')}\n  answer:   {result.get('body')}\n"
                  f"  custom attributes sent back by the model: {result.get('customAttributes')}\n"
                  f"  answered by endpoint {seen['endpoint']} for {seen['caller']}\n", flush=True)
            if result.get("statusCode") != 200:
                raise SystemExit(f"demo: the invocation failed: {result}")

            progress.step("terraform apply with grant_child_assume = false (the step the seed forgot)")
            root.set_vars({**variables, "grant_child_assume": False})
            root.apply()
            denied = invoke(emulator, outputs["function_name"], {"endpoint": "demo-echo", "body": "again"})
            print(f"\n  status:   {denied.get('statusCode')}\n  error:    {json.dumps(denied.get('error'), indent=2)}\n", flush=True)
            if denied.get("statusCode") != 403:
                raise SystemExit(f"demo: expected AccessDenied without the grant, got {denied}")
            progress.step("terraform destroy")
        progress.step("stopping the emulator")
    progress.step("done: nothing left running")


def main() -> int:
    progress = Progress()
    try:
        run(progress)
    except KeyboardInterrupt:
        progress.step("interrupted: everything created was destroyed and the emulator stopped")
        return 130
    except (EmulatorStartError, LeftoverResources, tftest.TerraformTestError) as error:
        print(f"demo failed (everything it created was torn down): {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
