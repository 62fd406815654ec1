"""Parent-account credentials: assume the role once per container, refresh before expiry.

The credentials live at module scope so every invocation a warm container
serves reuses them; botocore's refreshable credentials call AssumeRole again
only when they enter the refresh window, and never hand out expired keys.
They are "deferred": nothing is fetched at import or client creation, the
first AssumeRole happens on the first valid invocation (a cold start with a
bad event costs no STS call).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import boto3
import botocore.session
from botocore.config import Config as BotoConfig
from botocore.credentials import DeferredRefreshableCredentials

from .config import Config

_log = logging.getLogger(__name__)

# AssumeRole answers in well under a second; do not wait the model-sized read timeout.
_STS_READ_TIMEOUT_SECONDS = 10


class AssumeRoleError(Exception):
    """AssumeRole failed. ``cause`` is the original botocore exception.

    The wrapper exists so errors.py can report stage "assume_role" even when
    the refresh happens inside an InvokeEndpoint call (botocore refreshes at
    signing time, and re-raises whatever the fetcher raised).
    """

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


class ParentRoleCredentials(DeferredRefreshableCredentials):
    """Deferred refreshable credentials with refresh windows that fit the session length.

    botocore refreshes in the background ("advisory") 15 minutes before expiry
    and blocks ("mandatory") at 10 minutes. A 15-minute session
    (SESSION_DURATION_SECONDS=900) would then be refreshed on every call, so
    for short sessions the windows shrink to a third and a fifth of the
    duration. The default one-hour session keeps botocore's windows.
    """

    def __init__(self, refresh_using: Callable[[], Dict[str, Any]], duration_seconds: int):
        super().__init__(refresh_using=refresh_using, method="assume-role")
        # Unlike RefreshableCredentials, the deferred class takes no
        # advisory/mandatory arguments; these are the attributes they set.
        self._advisory_refresh_timeout = min(self._advisory_refresh_timeout, duration_seconds // 3)
        self._mandatory_refresh_timeout = min(self._mandatory_refresh_timeout, duration_seconds // 5)


@dataclass
class ParentSession:
    """Everything needed to act in the parent account."""

    sts: Any  # STS client on the function's own (execution role) credentials
    credentials: ParentRoleCredentials
    session: boto3.session.Session  # carries ``credentials``; make parent-account clients from it

    def ensure_fresh(self) -> None:
        """Assume the role now if there are no credentials yet or they are due for refresh."""
        self.credentials.get_frozen_credentials()


def _sts_client(config: Config):
    # A private session resolves the execution role's credentials through the
    # default chain (the Lambda environment variables).
    botocore_session = botocore.session.Session()
    # Regional STS is botocore's default today; pin it so an inherited
    # AWS_STS_REGIONAL_ENDPOINTS=legacy cannot send us to the global endpoint.
    botocore_session.set_config_variable("sts_regional_endpoints", "regional")
    return boto3.session.Session(botocore_session=botocore_session).client(
        "sts",
        region_name=config.sts_region,
        config=BotoConfig(
            connect_timeout=config.connect_timeout_seconds,
            read_timeout=_STS_READ_TIMEOUT_SECONDS,
            retries={"mode": "standard", "total_max_attempts": config.max_attempts},
        ),
    )


def _assume_role_fetcher(sts, config: Config) -> Callable[[], Dict[str, Any]]:
    params = {
        "RoleArn": config.parent_role_arn,
        "RoleSessionName": config.role_session_name,
        # Passed as configured, not clamped: with role chaining STS caps the
        # session at one hour and its error must reach the operator.
        "DurationSeconds": config.session_duration_seconds,
    }
    if config.external_id is not None:
        params["ExternalId"] = config.external_id

    def fetch() -> Dict[str, Any]:
        try:
            credentials = sts.assume_role(**params)["Credentials"]
        except Exception as exc:
            raise AssumeRoleError(exc) from exc
        expiration = credentials["Expiration"]
        _log.debug(
            json.dumps({"msg": "assumed role", "roleArn": config.parent_role_arn, "expiration": expiration.isoformat()})
        )
        # The metadata shape RefreshableCredentials expects.
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiration.isoformat(),
        }

    return fetch


def _build(config: Config) -> ParentSession:
    sts = _sts_client(config)
    credentials = ParentRoleCredentials(_assume_role_fetcher(sts, config), config.session_duration_seconds)
    botocore_session = botocore.session.Session()
    # boto3.Session only accepts static keys. Setting the botocore session's
    # _credentials is the accepted way to give a session refreshable
    # credentials: get_credentials() returns this object instead of walking
    # the default chain, and every client made from the session signs each
    # request with it, refreshing as needed.
    botocore_session._credentials = credentials
    session = boto3.session.Session(botocore_session=botocore_session, region_name=config.endpoint_region)
    return ParentSession(sts=sts, credentials=credentials, session=session)


# One entry per container (a Lambda container runs one invocation at a time,
# so no lock is needed). Keyed on the configuration so tests that change the
# environment get a fresh session.
_cached: Optional[Tuple[Config, ParentSession]] = None


def get_parent(config: Config) -> ParentSession:
    """The container's parent-account session for ``config`` (created on first use, no AWS call)."""
    global _cached
    if _cached is None or _cached[0] != config:
        _cached = (config, _build(config))
    return _cached[1]


def reset() -> None:
    """Forget the cached credentials and session (tests)."""
    global _cached
    _cached = None
