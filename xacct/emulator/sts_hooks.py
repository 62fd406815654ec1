"""Keeps what AssumeRole was asked for with the session moto creates: its session tags
(with the caller's transitive ones) and its managed session policies (`PolicyArns`).

moto's STS accepts these parameters and forgets them; AWS applies them to every request
the session signs ("Session policies", "Pass session tags in AWS STS").
"""

from __future__ import annotations

import functools

from moto.sts.responses import TokenResponse

from xacct.emulator import sts_sessions
from xacct.emulator.identity import access_key_id_from

_ORIGINAL = TokenResponse.assume_role


def _caller_extras(response) -> sts_sessions.SessionExtras:
    authorization = response.headers.get("Authorization") or ""
    if "Credential=" not in authorization:
        return sts_sessions.NONE
    return sts_sessions.extras_of(access_key_id_from(authorization))


@functools.wraps(_ORIGINAL)
def assume_role(self):
    result = _ORIGINAL(self)
    tags, transitive_keys, policy_arns = sts_sessions.requested_extras(self.querystring)
    extras = sts_sessions.new_session_extras(tags, transitive_keys, policy_arns, _caller_extras(self))
    session = result.result["Credentials"]
    sts_sessions.remember(session.access_key_id, extras)
    return result


def install() -> None:
    TokenResponse.assume_role = assume_role
