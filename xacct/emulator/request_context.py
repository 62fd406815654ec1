"""Global condition keys AWS puts in the context of every request.

"AWS global condition context keys": aws:RequestedRegion, aws:CurrentTime, aws:EpochTime,
aws:SecureTransport and aws:SourceIp describe the request itself; the keys that describe
the caller (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid,
aws:username, aws:PrincipalOrgID, aws:PrincipalTag/*) come from the policy engine's
Principal so a caller cannot supply them.
"""

from __future__ import annotations

import datetime


def _environ(headers) -> dict:
    # moto hands the auth hook werkzeug's EnvironHeaders, which keep the WSGI environ.
    return getattr(headers, "environ", None) or {}


def global_context(region: str, headers, now: datetime.datetime | None = None) -> dict[str, str]:
    now = now or datetime.datetime.now(datetime.timezone.utc)
    environ = _environ(headers)
    context = {
        "aws:RequestedRegion": region,
        "aws:CurrentTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:EpochTime": str(int(now.timestamp())),
        # The scheme the request really came over (the emulator serves plain HTTP).
        "aws:SecureTransport": "true" if environ.get("wsgi.url_scheme") == "https" else "false",
    }
    if environ.get("REMOTE_ADDR"):
        context["aws:SourceIp"] = environ["REMOTE_ADDR"]
    return context
