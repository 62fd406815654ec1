"""Try one principal against the parent roles: AssumeRole, then each invoke with the session.

This file depends on boto3 alone, because it also runs as a Lambda handler under an
invoker's execution role (that role trusts only lambda.amazonaws.com, so a Lambda is how
one acts as it). Each attempt is made once (no retries), so the number of calls is exact.
Only a documented denial counts as "denied"; any other error is reported as such.
"""

from __future__ import annotations

import re

import boto3
import botocore.config
from botocore.exceptions import ClientError

SESSION_NAME = "reachability"
ASYNC_INPUT = "s3://reachability-probe/input.json"
# AccessDenied from STS (query API); AccessDeniedException from the SageMaker runtime (JSON API).
DENIALS = {"sts:AssumeRole": "AccessDenied", "invoke": "AccessDeniedException"}
# "User: <caller> is not authorized to perform: <action> on resource: <ARN>[ because ...]"
DENIAL_MESSAGE = re.compile(r"is not authorized to perform: (?P<action>\S+) on resource: (?P<resource>\S+)")


def _client(session, service: str, endpoint_url: str | None):
    config = botocore.config.Config(retries={"mode": "standard", "max_attempts": 1})
    return session.client(service, endpoint_url=endpoint_url, config=config)


def _outcome(call, denial_code: str, action: str, is_resource) -> dict:
    """{"allowed": True}; {"allowed": False} for AWS's denial of this very call (its code, and a
    message naming the action and a resource for which `is_resource` holds); or
    {"allowed": None} with any other error."""
    try:
        call()
        return {"allowed": True}
    except ClientError as error:
        code, message = error.response["Error"]["Code"], error.response["Error"].get("Message", "")
        named = DENIAL_MESSAGE.search(message)
        if code == denial_code and named and named["action"] == action and is_resource(named["resource"]):
            return {"allowed": False, "message": message}
        return {"allowed": None, "error": f"{code}: {message}"}


def _invoke(runtime, action: str, endpoint_name: str):
    if action == "sagemaker:InvokeEndpoint":
        return lambda: runtime.invoke_endpoint(EndpointName=endpoint_name, Body=b"reachability", ContentType="text/plain")
    if action == "sagemaker:InvokeEndpointAsync":
        return lambda: runtime.invoke_endpoint_async(EndpointName=endpoint_name, InputLocation=ASYNC_INPUT)
    raise ValueError(f"the probe does not know the invoke action {action!r}")


def probe(session, cases: list[dict], endpoints: list[str], actions: list[str], endpoint_url: str | None = None) -> list[dict]:
    """For each case {"role_arn", "case", "external_id"}: AssumeRole, then every endpoint x action.

    Returns one record per call made: {"role_arn", "case", "call", "allowed", ...}, where
    "call" is "sts:AssumeRole" or "<action> <endpoint name>".
    """
    sts = _client(session, "sts", endpoint_url)
    records = []
    for case in cases:
        request = {"RoleArn": case["role_arn"], "RoleSessionName": SESSION_NAME}
        if case["external_id"] is not None:
            request["ExternalId"] = case["external_id"]
        answer: dict = {}
        assumed = _outcome(lambda: answer.update(sts.assume_role(**request)), DENIALS["sts:AssumeRole"],
                           "sts:AssumeRole", case["role_arn"].__eq__)
        records.append({"role_arn": case["role_arn"], "case": case["case"], "call": "sts:AssumeRole", **assumed})
        if not assumed["allowed"]:
            continue
        credentials = answer["Credentials"]
        parent = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                               aws_session_token=credentials["SessionToken"], region_name=session.region_name)
        runtime = _client(parent, "sagemaker-runtime", endpoint_url)
        for endpoint in endpoints:
            for action in actions:
                outcome = _outcome(_invoke(runtime, action, endpoint), DENIALS["invoke"], action,
                                   lambda arn, name=endpoint.lower(): arn.endswith(f":endpoint/{name}"))
                records.append({"role_arn": case["role_arn"], "case": case["case"], "call": f"{action} {endpoint}", **outcome})
    return records


def lambda_handler(event, context):
    """As a Lambda: the function's own credentials (its execution role) and the endpoint from the environment."""
    return probe(boto3.Session(), event["cases"], event["endpoints"], event["actions"])
