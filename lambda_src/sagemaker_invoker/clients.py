"""The sagemaker-runtime client, created once per container.

Creating a client costs tens of milliseconds (model loading, endpoint
resolution) and a fresh client would also open a fresh TLS connection, so it
is cached at module scope and reused by every invocation.

No endpoint_url is passed anywhere: boto3 honours AWS_ENDPOINT_URL (and
AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME / AWS_ENDPOINT_URL_STS) from the
environment, which is how the emulator is reached while the code stays the
same as in production.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from botocore.config import Config as BotoConfig

from . import __version__, credentials
from .config import Config

_cached: Optional[Tuple[Config, Any]] = None


def _create(config: Config):
    return credentials.get_parent(config).session.client(
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


def get_runtime_client(config: Config):
    """The container's sagemaker-runtime client for ``config``, signing with the parent role."""
    global _cached
    if _cached is None or _cached[0] != config:
        _cached = (config, _create(config))
    return _cached[1]


def reset() -> None:
    """Forget the cached client (tests)."""
    global _cached
    _cached = None
