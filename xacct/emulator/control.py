"""The emulator's control API under /_emulator/: the journal, SageMaker faults, organizations, rate limits,
IAM propagation delay.

Every route needs the run's token (`Authorization: Bearer <token>`), which is printed at
start and kept in the info file (mode 0600). Without it a request is refused before any
route is looked at, so it changes nothing and learns nothing (not even which routes exist).
The administrator keys are never served here: they are in the info file only.
"""

from __future__ import annotations

import hmac
import json

from werkzeug.wrappers import Request, Response

from xacct.emulator import iam_propagation, session_expiry, throttling
from xacct.emulator.errors import json_error
from xacct.emulator.gateway import CONTROL_PREFIX
from xacct.emulator.state import STATE, Fault


class ControlApi:
    def __init__(self, token: str, endpoint_url: str, region: str, accounts: dict[str, str]):
        self.token = token
        self.public_info = {"endpoint_url": endpoint_url, "region": region, "accounts": dict(accounts)}

    def __call__(self, environ, start_response):
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        if not self._authorized(request.headers.get("Authorization", "")):
            return json_error(403, "AccessDeniedException",
                              "The emulator's control API needs the token it printed at start "
                              "(Authorization: Bearer <token>; also in its info file).").as_wsgi()
        route = (request.method, request.path[len(CONTROL_PREFIX):].strip("/"))
        body = request.get_json(silent=True) or {}
        if route == ("GET", "info"):
            return _json(self.public_info)
        if route == ("GET", "journal"):
            return _json(STATE.journal_entries())
        if route == ("GET", "invocations"):
            return _json(STATE.invocation_entries())
        if route == ("DELETE", "journal"):
            STATE.clear_journal()
            return _json({})
        if route == ("POST", "faults"):
            if not isinstance(body.get("endpoint"), str) or not isinstance(body.get("code"), str):
                return json_error(400, "ValidationException", "a fault needs \"endpoint\" and \"code\"").as_wsgi()
            account = body.get("account") or self.public_info["accounts"].get("parent", "")
            STATE.queue_fault(account, body["endpoint"], Fault(
                code=body["code"], remaining=int(body.get("count", 1)),
                model_status=int(body.get("model_status", 500)),
                model_message=body.get("model_message", "Injected model failure")))
            return _json({}, 201)
        if route == ("GET", "faults"):
            return _json(STATE.fault_entries())
        if route == ("DELETE", "faults"):
            STATE.clear_faults()
            return _json({})
        if route == ("GET", "organizations"):
            return _json(dict(STATE.organizations))
        if route == ("PUT", "organizations"):
            return _json(STATE.set_organizations(body))
        if route == ("PUT", "throttles"):
            try:
                return _json(throttling.THROTTLES.set(body.get("account"), body.get("api"),
                                                      body.get("rate_per_second"), body.get("burst")))
            except throttling.LimitError as error:
                return json_error(400, "ValidationException", str(error)).as_wsgi()
        if route == ("GET", "throttles"):
            return _json(throttling.THROTTLES.entries())
        if route == ("DELETE", "throttles"):
            throttling.THROTTLES.clear()
            return _json({})
        if route == ("PUT", "iam-propagation"):
            try:
                seconds = iam_propagation.PROPAGATION.set_seconds(body.get("seconds"))
            except ValueError as error:
                return json_error(400, "ValidationException", str(error)).as_wsgi()
            return _json({"seconds": seconds})
        if route == ("GET", "iam-propagation"):
            return _json({"seconds": iam_propagation.PROPAGATION.seconds})
        if route == ("POST", "expire-sessions"):
            return _json({"expired": session_expiry.expire(str(body.get("role_arn", "")))})
        return json_error(404, "UnknownOperationException", f"no control route {request.method} {request.path}").as_wsgi()

    def _authorized(self, header: str) -> bool:
        scheme, _, given = header.partition(" ")
        return scheme == "Bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())


def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")
