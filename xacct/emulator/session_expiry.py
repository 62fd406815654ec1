"""Control route `POST /_emulator/expire-sessions {"role_arn": ...}`: end a role's sessions now.

A role session lasts at least 900 s (STS AssumeRole, DurationSeconds), too long for a test
to wait out. This ends every current session of the role at once, as if its time had run
out: its keys are then refused with ExpiredTokenException, as AWS refuses expired keys, and
a client must assume the role again. Answers {"expired": <sessions ended>}.
"""

from __future__ import annotations

import datetime
import json

from moto.sts.models import sts_backends
from werkzeug.wrappers import Response

from xacct.emulator.identity import PARTITION

ROUTE = "expire-sessions"


def expire(role_arn: str) -> int:
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=1)
    ended = 0
    for account in list(sts_backends.keys()):
        for session in sts_backends[account][PARTITION].assumed_roles:
            if session.role_arn == role_arn and session.expiration > past:
                session.expiration = past
                ended += 1
    return ended


def install(control_api_class) -> None:
    """Serve the route on the emulator's control API, before its own routes."""
    served = control_api_class.__call__

    def call(self, request):
        if request.method == "POST" and request.path.rstrip("/").endswith("/" + ROUTE):
            role_arn = (request.get_json(silent=True) or {}).get("role_arn", "")
            return Response(json.dumps({"expired": expire(role_arn)}), content_type="application/json")
        return served(self, request)

    control_api_class.__call__ = call
