"""Behind the control route `POST /_emulator/expire-sessions {"role_arn": ...}`: end a role's sessions now.

A role session lasts at least 900 s (STS AssumeRole, DurationSeconds), too long for a test
to wait out. This ends every current session of the role at once, as if its time had run
out: its keys are then refused with ExpiredTokenException, as AWS refuses expired keys, and
a client must assume the role again. Answers {"expired": <sessions ended>}.
"""

from __future__ import annotations

import datetime

from moto.sts.models import sts_backends

from xacct.emulator.identity import PARTITION


def expire(role_arn: str) -> int:
    past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=1)
    ended = 0
    for account in list(sts_backends.keys()):
        for session in sts_backends[account][PARTITION].assumed_roles:
            if session.role_arn == role_arn and session.expiration > past:
                session.expiration = past
                ended += 1
    return ended
