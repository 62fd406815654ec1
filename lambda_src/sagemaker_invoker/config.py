"""Function configuration, read from environment variables only.

Terraform sets these variables on the function; nothing is read from files,
SSM or the event, so a caller can never widen what the function may do.
Every rule is checked at load time and a failure names the variable and the
rule, because a misconfigured function should say exactly what to fix.

An empty variable counts as unset: Terraform commonly renders an unset
optional input as "".
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from . import budget, logs

# IAM role ARN in any partition (aws, aws-cn, aws-us-gov, ...), with an
# optional path. The character set is IAM's for role names and paths.
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", re.ASCII)
# STS AssumeRole rules (re.ASCII because STS's \w is ASCII-only).
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_SESSION_NAME_BAD_CHARS = re.compile(r"[^\w+=,.@-]", re.ASCII)
# SageMaker's endpoint name rule (also used for variant names by contract.py).
ENDPOINT_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
# Loose region shape (us-east-1, us-gov-west-1, eu-central-2, ...): enough to
# catch typos such as "eu-west" without hard-coding the region list.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")

_log = logging.getLogger(__name__)

DEFAULT_SESSION_NAME = "sagemaker-invoker"
# STS limits for DurationSeconds. The role's MaxSessionDuration and the
# one-hour cap on role chaining are enforced by STS itself; we deliberately do
# not clamp, so that STS's own error reaches the operator.
_MIN_DURATION, _MAX_DURATION = 900, 43200


class ConfigurationError(ValueError):
    """A configuration variable is missing or breaks its rule."""

    def __init__(self, variable: str, message: str):
        super().__init__(f"{variable} {message}")
        self.variable = variable


@dataclass(frozen=True)
class Config:
    """Validated configuration. Frozen and hashable: it keys the container's parent-account access."""

    parent_role_arn: str
    external_id: Optional[str]
    allowed_endpoints: Tuple[str, ...]
    endpoint_region: str
    # Region of the STS endpoint used for AssumeRole: the function's own
    # region (nearest regional endpoint), falling back to the endpoint's.
    sts_region: str
    role_session_name: str
    session_duration_seconds: int
    connect_timeout_seconds: float
    read_timeout_seconds: float
    max_attempts: int
    log_level: str = "INFO"
    # The function's own timeout, when known: the retry budget was fitted into it.
    function_timeout_seconds: Optional[int] = None

    def canonical_endpoint(self, name: str) -> Optional[str]:
        """The allowed endpoint matching ``name`` case-insensitively, as configured.

        SageMaker endpoint names are case-insensitive (they appear lower-cased
        in ARNs and IAM policies), so "My-Endpoint" and "my-endpoint" are the
        same endpoint; callers get the spelling from ALLOWED_ENDPOINTS.
        """
        folded = name.lower()
        for allowed in self.allowed_endpoints:
            if allowed.lower() == folded:
                return allowed
        return None


def _get(env: Mapping[str, str], name: str) -> Optional[str]:
    value = env.get(name, "").strip()
    return value or None


def _number(env, name, default, *, minimum, maximum, integer):
    raw = _get(env, name)
    if raw is None:
        return default
    kind = "an integer" if integer else "a number"
    rule = f"must be {kind} from {minimum} to {maximum}"
    try:
        # int() would also accept "+5" and "1_0"; insist on plain digits.
        if integer and not (raw.isascii() and raw.isdigit()):
            raise ValueError
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ConfigurationError(name, f"{rule}, got {raw!r}") from None
    if not (math.isfinite(value) and minimum <= value <= maximum):
        raise ConfigurationError(name, f"{rule}, got {raw!r}")
    return value


def _allowed_endpoints(env) -> Tuple[str, ...]:
    raw = _get(env, "ALLOWED_ENDPOINTS")
    if raw is None:
        raise ConfigurationError(
            "ALLOWED_ENDPOINTS", "is required: a comma-separated list of SageMaker endpoint names"
        )
    names = [part.strip() for part in raw.split(",")]
    seen = set()
    for name in names:
        if not name:
            # "a,,b" or a trailing comma usually means a templating mistake.
            raise ConfigurationError("ALLOWED_ENDPOINTS", "contains an empty entry")
        if not ENDPOINT_NAME.fullmatch(name):
            raise ConfigurationError(
                "ALLOWED_ENDPOINTS",
                f"entry {name!r} is not a SageMaker endpoint name "
                "(1-63 letters, digits and hyphens, starting and ending with a letter or digit)",
            )
        if name.lower() in seen:
            # Names are case-insensitive in SageMaker, so this is the same endpoint twice
            # and the canonical spelling would be ambiguous.
            raise ConfigurationError(
                "ALLOWED_ENDPOINTS", f"entry {name!r} is listed twice (names are case-insensitive)"
            )
        seen.add(name.lower())
    return tuple(names)


def _default_session_name(env) -> str:
    # Lambda function names are already STS-safe, but sanitise anyway so a
    # long or unusual name can never make AssumeRole fail.
    function_name = _get(env, "AWS_LAMBDA_FUNCTION_NAME") or ""
    candidate = _SESSION_NAME_BAD_CHARS.sub("-", function_name)[:64]
    return candidate if _SESSION_NAME.fullmatch(candidate) else DEFAULT_SESSION_NAME


def load_config(env: Optional[Mapping[str, str]] = None) -> Config:
    """Read and validate the configuration; raise ConfigurationError on the first problem."""
    env = os.environ if env is None else env

    role_arn = _get(env, "PARENT_ROLE_ARN")
    if role_arn is None:
        raise ConfigurationError("PARENT_ROLE_ARN", "is required: the ARN of the role to assume in the parent account")
    if not (_ROLE_ARN.fullmatch(role_arn) and len(role_arn) <= 2048):
        raise ConfigurationError(
            "PARENT_ROLE_ARN",
            f"must be an IAM role ARN like arn:aws:iam::123456789012:role/NAME, got {role_arn!r}",
        )

    external_id = _get(env, "EXTERNAL_ID")
    if external_id is not None and not _EXTERNAL_ID.fullmatch(external_id):
        # The value is not echoed: it is a shared secret between the accounts.
        raise ConfigurationError(
            "EXTERNAL_ID", "must be 2 to 1224 characters from letters, digits and _+=,.@:/-"
        )

    allowed = _allowed_endpoints(env)

    lambda_region = _get(env, "AWS_REGION")
    endpoint_region = _get(env, "ENDPOINT_REGION") or lambda_region
    if endpoint_region is None:
        raise ConfigurationError("ENDPOINT_REGION", "is required when AWS_REGION is not set")
    if not _REGION.fullmatch(endpoint_region):
        variable = "ENDPOINT_REGION" if _get(env, "ENDPOINT_REGION") else "AWS_REGION"
        raise ConfigurationError(variable, f"must be an AWS region name like eu-west-1, got {endpoint_region!r}")
    sts_region = lambda_region if lambda_region and _REGION.fullmatch(lambda_region) else endpoint_region

    session_name = _get(env, "ROLE_SESSION_NAME")
    if session_name is None:
        session_name = _default_session_name(env)
    elif not _SESSION_NAME.fullmatch(session_name):
        raise ConfigurationError(
            "ROLE_SESSION_NAME",
            f"must be 2 to 64 characters from letters, digits and _+=,.@-, got {session_name!r}",
        )

    connect = _number(env, "CONNECT_TIMEOUT_SECONDS", 3.0, minimum=0.1, maximum=60, integer=False)
    function_timeout = _number(env, "FUNCTION_TIMEOUT_SECONDS", None, minimum=1, maximum=900, integer=True)
    try:
        fitted = budget.fit(
            function_timeout,
            connect,
            _number(env, "READ_TIMEOUT_SECONDS", None, minimum=1, maximum=900, integer=False),
            # botocore counts the first attempt: 3 means up to two retries.
            _number(env, "MAX_ATTEMPTS", None, minimum=1, maximum=10, integer=True),
        )
    except budget.BudgetError as exc:
        raise ConfigurationError(exc.variable, str(exc)) from None

    return Config(
        parent_role_arn=role_arn,
        external_id=external_id,
        allowed_endpoints=allowed,
        endpoint_region=endpoint_region,
        sts_region=sts_region,
        role_session_name=session_name,
        session_duration_seconds=_number(
            env, "SESSION_DURATION_SECONDS", 3600, minimum=_MIN_DURATION, maximum=_MAX_DURATION, integer=True
        ),
        connect_timeout_seconds=connect,
        read_timeout_seconds=fitted.read_timeout_seconds,
        max_attempts=fitted.max_attempts,
        log_level=_log_level(env),
        function_timeout_seconds=function_timeout,
    )


def _log_level(env) -> str:
    level = _get(env, "LOG_LEVEL") or "INFO"
    if level not in logs.LEVELS:
        raise ConfigurationError("LOG_LEVEL", f"must be one of {', '.join(logs.LEVELS)}, got {level[:20]!r}")
    return level


# Configuration is read once per container: the environment of a Lambda
# function cannot change without a new container. lru_cache does not keep
# exceptions, so a failure is retried by the next invocation.
@functools.lru_cache(maxsize=1)
def get_config() -> Config:
    """The container's configuration, loaded (and its log levels applied) on first use."""
    config = load_config()
    logs.apply_levels(config.log_level)
    if config.external_id is None:
        # Allowed (the parent's trust policy decides), but without an
        # ExternalId the role is open to the confused-deputy problem.
        _log.warning("EXTERNAL_ID is not set; AssumeRole is called without an ExternalId")
    return config
