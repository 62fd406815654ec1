"""A SageMaker runtime whose model echoes the request, so tests can prove what arrived.

The answer to InvokeEndpoint is the request body, byte for byte, with the request's
content type. The response's custom attributes name the endpoint and the caller (the
session that invoked it), which is how a test sees that the parent role made the call.
Faults queued through the control API replace the answer with AWS's error for the case:
ModelError (424, carrying the container's status), ServiceUnavailable (503),
ThrottlingException (400), ModelNotReadyException (429), InternalFailure (500).
"""

from __future__ import annotations

import hashlib

from moto.sagemaker.models import sagemaker_backends
from moto.sagemakerruntime import responses as runtime_responses

from xacct.emulator import sagemaker_headers
from xacct.emulator.errors import json_error
from xacct.emulator.identity import access_key_id_from, resolve_caller
from xacct.emulator.state import STATE

MAX_BODY_BYTES = 6_291_456  # InvokeEndpoint's documented payload limit

FAULT_STATUS = {
    "ModelError": 424,
    "ServiceUnavailable": 503,
    "ThrottlingException": 400,
    "ModelNotReadyException": 429,
    "InternalFailure": 500,
    "ValidationError": 400,
}


def _find_endpoint(account: str, region: str, name: str):
    """SageMaker endpoint names are case-insensitive: My-Endpoint and my-endpoint are one."""
    endpoints = sagemaker_backends[account][region].endpoints
    return next((e for e in endpoints.values() if e.endpoint_name.lower() == name.lower()), None)


def _fault_error(fault, account: str, region: str, endpoint_name: str):
    if fault.code == "ModelError":
        return json_error(424, "ModelError",
                         f"Received server error ({fault.model_status}) from primary with message "
                         f'"{fault.model_message}". See https://{region}.console.aws.amazon.com/cloudwatch/home'
                         f"?region={region}#logEventViewer:group=/aws/sagemaker/Endpoints/{endpoint_name} "
                         f"in account {account} for more information.",
                         {"OriginalStatusCode": fault.model_status, "OriginalMessage": fault.model_message,
                          "LogStreamArn": f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/{endpoint_name}"})
    return json_error(FAULT_STATUS.get(fault.code, 500), fault.code, f"Injected {fault.code} for endpoint {endpoint_name}.")


def invoke_endpoint(self) -> tuple[int, dict[str, str], bytes]:
    """Replacement for moto's SageMakerRuntimeResponse.invoke_endpoint."""
    account, region = self.current_account, self.region
    name = self._get_param("EndpointName") or self.path.strip("/").split("/")[1]
    body = self.raw_body if isinstance(self.raw_body, bytes) else (self.raw_body or "").encode()
    if len(body) > MAX_BODY_BYTES:
        return json_error(413, "ValidationError", f"Request body is {len(body)} bytes; the maximum is {MAX_BODY_BYTES}.").as_response()
    values = sagemaker_headers.read("InvokeEndpoint", self.headers)  # every header member, checked as the model says
    errors = sagemaker_headers.validation_errors("InvokeEndpoint", values)
    if errors:
        return json_error(400, "ValidationError", sagemaker_headers.validation_message(errors)).as_response()
    endpoint = _find_endpoint(account, region, name)
    if endpoint is None:
        return json_error(400, "ValidationError", f"Endpoint {name} of account {account} not found.").as_response()
    if endpoint.endpoint_status != "InService":
        return json_error(400, "ValidationError", f"Endpoint {name} of account {account} is not InService.").as_response()
    session_error, new_session = sagemaker_headers.open_or_check_session(account, endpoint.endpoint_name, values.get("SessionId"))
    if session_error:
        return json_error(400, "ValidationError", session_error).as_response()

    caller = resolve_caller(account, access_key_id_from(self.headers["Authorization"]), STATE.org_of)
    caller_arn = caller.principal.arn if caller else "unknown"
    with STATE.lock:
        STATE.invocations.append({
            "account": account, "endpoint": endpoint.endpoint_name, "caller": caller_arn,
            "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest(),
            "content_type": self.headers.get("Content-Type"), "accept": self.headers.get("Accept"),
        })

    fault = STATE.take_fault(account, endpoint.endpoint_name)
    if fault is not None:
        return _fault_error(fault, account, region, endpoint.endpoint_name).as_response()

    variant = endpoint.production_variants[0]["VariantName"] if endpoint.production_variants else "AllTraffic"
    headers = {
        "Content-Type": self.headers.get("Content-Type") or "application/octet-stream",
        "x-Amzn-Invoked-Production-Variant": variant,
        "X-Amzn-SageMaker-Custom-Attributes":
            f"endpoint={endpoint.endpoint_name};caller={caller_arn}" + sagemaker_headers.echo_attributes(values),
    }
    if new_session:
        headers["X-Amzn-SageMaker-New-Session-Id"] = new_session
    elif values.get("SessionId") and values.get("CustomAttributes") == sagemaker_headers.CLOSE_SESSION_ATTRIBUTE:
        headers["X-Amzn-SageMaker-Closed-Session-Id"] = sagemaker_headers.close_session(
            account, endpoint.endpoint_name, values["SessionId"])
    return 200, headers, body


def install() -> None:
    # Model inputs are bytes (images, protobuf...): moto would decode them as UTF-8 and fail.
    runtime_responses.SageMakerRuntimeResponse.use_raw_body = True
    runtime_responses.SageMakerRuntimeResponse.invoke_endpoint = invoke_endpoint
