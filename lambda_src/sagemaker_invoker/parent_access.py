"""Access to the parent account, held once per container: assumed-role keys and the client that signs with them.

A warm container reuses both across invocations. Creating a client costs tens
of milliseconds and opens a fresh connection; assuming the role costs an STS
round trip. So ``for_config`` builds them once per configuration, and
botocore's refreshable credentials call AssumeRole again only when the keys
enter their refresh window, never handing out expired keys.

Nothing is fetched at build time: the keys start out expired, so the first
AssumeRole happens on the first valid invocation (a cold start with a bad
event costs no STS call), and a failed AssumeRole is tried again by the next
invocation.

No endpoint_url is passed anywhere: botocore honours AWS_ENDPOINT_URL (and
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME / AWS_ENDPOINT_URL_STS) from the
environment, which is how the emulator is reached while the code stays the
same as in production.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict

import botocore.session
from botocore.config import Config as BotoConfig
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

from . import __version__, budget, throttle_retry
from .config import Config

_log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
# botocore refreshes in the background ("advisory") 15 minutes before expiry
# and blocks ("mandatory") at 10 minutes (botocore/credentials.py).
ADVISORY_REFRESH_SECONDS = 15 * 60
MANDATORY_REFRESH_SECONDS = 10 * 60
_EXPIRED = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class AssumeRoleError(Exception):
    """AssumeRole failed. ``cause`` is the original botocore exception.

    The wrapper exists so errors.py can report stage "assume_role" even when
    the refresh happens inside an InvokeEndpoint call (botocore refreshes at
    signing time, and re-raises whatever the fetcher raised).
    """

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


@dataclass(frozen=True)
class RefreshWindows:
    """Seconds before expiry at which the keys are refreshed: in the background, then blocking."""

    advisory: int
    mandatory: int


def refresh_windows(duration_seconds: int, jitter: float) -> RefreshWindows:
    """botocore's windows, shrunk for short sessions and jittered per container.

    A 15-minute session (SESSION_DURATION_SECONDS=900) would be refreshed on
    every call with botocore's fixed windows, so for short sessions they shrink
    to a third and a fifth of the duration. ``jitter`` (0 <= jitter < 1) then
    moves the advisory point up to half-way towards the mandatory one, so that
    containers started together (and so holding keys that expire together)
    refresh spread over minutes instead of in the same second; the other half
    of the window is kept for retrying a failed background refresh.
    """
    advisory = min(ADVISORY_REFRESH_SECONDS, duration_seconds // 3)
    mandatory = min(MANDATORY_REFRESH_SECONDS, duration_seconds // 5)
    return RefreshWindows(advisory - int(jitter * (advisory - mandatory) / 2), mandatory)


def _sts_client(config: Config):
    # A private session resolves the execution role's credentials through the
    # default chain (the Lambda environment variables).
    session = botocore.session.Session()
    # Regional STS is botocore's default today; pin it so an inherited
    # AWS_STS_REGIONAL_ENDPOINTS=legacy cannot send us to the global endpoint.
    session.set_config_variable("sts_regional_endpoints", "regional")
    return session.create_client(
        "sts",
        region_name=config.sts_region,
        config=BotoConfig(
            connect_timeout=config.connect_timeout_seconds,
            read_timeout=budget.STS_READ_TIMEOUT_SECONDS,
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


def refreshable(fetch: Callable[[], Dict[str, Any]], windows: RefreshWindows, clock: Clock) -> RefreshableCredentials:
    """Keys from ``fetch``, fetched on first use and again when they enter ``windows``, on ``clock``."""
    return RefreshableCredentials(
        # Placeholder keys that expired long ago: the first use must call ``fetch``.
        access_key="",
        secret_key="",
        token="",
        expiry_time=_EXPIRED,
        refresh_using=fetch,
        method=_Provider.METHOD,
        time_fetcher=clock,
        advisory_timeout=windows.advisory,
        mandatory_timeout=windows.mandatory,
    )


class _Provider(CredentialProvider):
    """Hands a botocore session the parent-role credentials instead of walking the default chain."""

    METHOD = "assume-role"

    def __init__(self, credentials: RefreshableCredentials):
        super().__init__()
        self.credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self.credentials


@dataclass(frozen=True)
class ParentAccess:
    """Everything one container needs to act in the parent account."""

    sts: Any  # STS client on the function's own (execution role) credentials
    credentials: RefreshableCredentials  # the parent role's keys, refreshed before expiry
    sagemaker: Any  # sagemaker-runtime client signing with ``credentials``
    windows: RefreshWindows
    # The running invocation's deadline: throttled calls are retried while it allows (throttle_retry.py).
    deadline: throttle_retry.Deadline

    def ensure_fresh(self) -> None:
        """Assume the role now if there are no keys yet or they are due for refresh."""
        self.credentials.get_frozen_credentials()


def build(config: Config, clock: Clock = utc_now, jitter: Callable[[], float] = random.random) -> ParentAccess:
    """Parent-account access for ``config``; no AWS call. ``clock`` and ``jitter`` are injectable for tests."""
    sts = _sts_client(config)
    windows = refresh_windows(config.session_duration_seconds, jitter())
    credentials = refreshable(_assume_role_fetcher(sts, config), windows, clock)
    session = botocore.session.Session()
    # The session's credential chain is this one provider: every client made
    # from it signs each request with ``credentials``, refreshing as needed.
    session.register_component("credential_provider", CredentialResolver([_Provider(credentials)]))
    sagemaker = session.create_client(
        "sagemaker-runtime",
        region_name=config.endpoint_region,
        config=BotoConfig(
            connect_timeout=config.connect_timeout_seconds,
            read_timeout=config.read_timeout_seconds,
            # "standard" retries throttling, 5xx and connection errors with
            # jittered back-off. total_max_attempts counts the first attempt
            # (like AWS_MAX_ATTEMPTS); botocore's "max_attempts" key would
            # count retries only and allow one call more than configured.
            retries={"mode": "standard", "total_max_attempts": config.max_attempts},
            user_agent_extra=f"sagemaker-invoker/{__version__}",
        ),
    )
    deadline = throttle_retry.Deadline()
    connect = config.connect_timeout_seconds
    # AssumeRole (also when it runs inside InvokeEndpoint's signing) leaves room for the
    # whole InvokeEndpoint call; InvokeEndpoint leaves the margin.
    throttle_retry.install(sts, deadline, config.max_attempts, connect + budget.STS_READ_TIMEOUT_SECONDS,
                           budget.MARGIN_SECONDS + budget.call_seconds(connect, config.read_timeout_seconds,
                                                                      config.max_attempts))
    throttle_retry.install(sagemaker, deadline, config.max_attempts, connect + config.read_timeout_seconds,
                           budget.MARGIN_SECONDS)
    return ParentAccess(sts=sts, credentials=credentials, sagemaker=sagemaker, windows=windows, deadline=deadline)


# One per container (a Lambda container runs one invocation at a time, so no
# lock is needed). Keyed on the configuration, so a changed environment (in
# tests) gets fresh access.
@functools.lru_cache(maxsize=1)
def for_config(config: Config) -> ParentAccess:
    """The container's parent-account access for ``config``, built on first use."""
    return build(config)
