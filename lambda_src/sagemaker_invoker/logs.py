"""Log levels: this package's from LOG_LEVEL; the AWS SDK's held at WARNING unless LOG_LEVEL is DEBUG.

The package itself never logs credentials, the ExternalId or request and
answer bodies, at any level. botocore does at DEBUG: it logs every request's
parameters (the ExternalId, the body) and the AssumeRole answer (the parent
session's secret key and token). Its loggers are therefore pinned at WARNING,
so that a root logger opened to DEBUG (for example by Lambda's own log-level
setting) does not turn that on; only LOG_LEVEL=DEBUG does, deliberately.
"""

from __future__ import annotations

import logging

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
PACKAGE_LOGGER = "sagemaker_invoker"
# The SDK's loggers that write request and response contents at DEBUG.
SDK_LOGGERS = ("botocore", "boto3", "urllib3")


def apply_levels(level: str) -> None:
    """Set this package's loggers to ``level`` and the SDK's to WARNING (DEBUG only when ``level`` is DEBUG)."""
    logging.getLogger(PACKAGE_LOGGER).setLevel(level)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
