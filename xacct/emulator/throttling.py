"""Request-rate limits for STS AssumeRole and SageMaker runtime InvokeEndpoint, as token buckets.

AWS meters these APIs per account (STS: "IAM and AWS STS quotas"; SageMaker runtime: an
endpoint's capacity), and a request over the limit is refused before anything else is
looked at, with a throttling error that botocore retries ("Retries" in the Boto3 guide:
`Throttling` and `ThrottlingException` are among the throttling codes of its legacy,
standard and adaptive modes):

- STS: HTTP 400, XML, code `Throttling`, message "Rate exceeded";
- SageMaker runtime: HTTP 400, JSON, `ThrottlingException`, "Rate exceeded".

A bucket holds at most `burst` tokens, refills at `rate_per_second`, and each request takes
one. With no limit set for an (account, API) pair, nothing is throttled. The limits are set
through the control API (`PUT /_emulator/throttles`), and every refusal is journalled.
The gateway asks `refusal` about every request before moto sees it.
"""

from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs

from moto.iam.models import get_account_id_from

from xacct.emulator.errors import AwsError, json_error, query_error
from xacct.emulator.identity import access_key_id_from
from xacct.emulator.state import STATE

MESSAGE = "Rate exceeded"
# The IAM action each metered API is authorized as -> the API's name in limits and the journal.
METERED_ACTIONS = {
    "sts:assumerole": "sts:AssumeRole",
    "sagemaker:invokeendpoint": "sagemaker:InvokeEndpoint",
    # Served by the same endpoint capacity as InvokeEndpoint.
    "sagemaker:invokeendpointwithresponsestream": "sagemaker:InvokeEndpoint",
}
APIS = tuple(sorted(set(METERED_ACTIONS.values())))


class LimitError(ValueError):
    """A limit the control API refuses; the message names the field."""


@dataclass
class TokenBucket:
    rate_per_second: float
    burst: int
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self):
        self.tokens, self.updated = float(self.burst), self.clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.rate_per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class Throttles:
    """The limits in force, keyed by (account, API); thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def set(self, account: str, api: str, rate_per_second: float, burst: int) -> dict:
        if not isinstance(account, str) or not account.isdigit() or len(account) != 12:
            raise LimitError("\"account\" must be a 12-digit account ID")
        if api not in APIS:
            raise LimitError(f"\"api\" must be one of {', '.join(APIS)}")
        if isinstance(rate_per_second, bool) or not isinstance(rate_per_second, (int, float)) or rate_per_second <= 0:
            raise LimitError("\"rate_per_second\" must be a number above 0")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise LimitError("\"burst\" must be a whole number of at least 1")
        with self._lock:
            self._buckets[(account, api)] = TokenBucket(float(rate_per_second), burst, self.clock)
        return {"account": account, "api": api, "rate_per_second": rate_per_second, "burst": burst}

    def entries(self) -> list[dict]:
        with self._lock:
            return [{"account": a, "api": api, "rate_per_second": b.rate_per_second, "burst": b.burst}
                    for (a, api), b in self._buckets.items()]

    def active(self) -> bool:
        return bool(self._buckets)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()

    def admit(self, account: str, action: str) -> str | None:
        """None when the request may go on; else the metered API it was refused on."""
        api = METERED_ACTIONS.get(action.lower())
        if api is None:
            return None
        with self._lock:
            bucket = self._buckets.get((account, api))
            if bucket is None or bucket.take():
                return None
        return api


def throttling_error(api: str) -> AwsError:
    """AWS's answer to a request over the limit, in the service's own shape."""
    if api.startswith("sts:"):
        return query_error(400, "Throttling", MESSAGE)
    return json_error(400, "ThrottlingException", MESSAGE)


THROTTLES = Throttles()
_INVOCATION_PATH = re.compile(r"^/endpoints/[^/]+/invocations(-response-stream)?$")
_METERED_STS_ACTIONS = {"AssumeRole": "sts:AssumeRole"}


def _action(environ: dict, service: str | None) -> str | None:
    """The metered API a request calls, read without moto: STS's Action field, the runtime's path."""
    if service == "sagemaker" and environ.get("REQUEST_METHOD") == "POST":
        match = _INVOCATION_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            return "sagemaker:InvokeEndpointWithResponseStream" if match.group(1) else "sagemaker:InvokeEndpoint"
        return None
    if service != "sts":
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
    fields = parse_qs(body.decode("utf-8", "replace")) or parse_qs(environ.get("QUERY_STRING", ""))
    return _METERED_STS_ACTIONS.get((fields.get("Action") or [""])[0])


def refusal(environ: dict, service: str | None) -> AwsError | None:
    """The throttling error for a request over its account's limit (journalled), else None.

    Decided at the front door, before moto parses, verifies or authorizes anything: AWS
    refuses a request over the rate without doing its work, and so a slow emulator cannot
    hide a limit by admitting requests more slowly than the rate.
    """
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not THROTTLES.active() or "Credential=" not in authorization:
        return None
    action = _action(environ, service)
    if action is None:
        return None
    account = get_account_id_from(access_key_id_from(authorization))
    api = THROTTLES.admit(account, action)
    if api is None:
        return None
    STATE.record({"account": account, "action": api, "throttled": True})
    return throttling_error(api)
