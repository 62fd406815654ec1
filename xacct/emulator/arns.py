"""ARNs and partitions: one home for building and reading them.

Reading goes through botocore's `ArnParser` and the partition of a region through moto's
own helper, so the emulator agrees with the SDK and with moto on both.
"""

from __future__ import annotations

import re

from botocore.utils import ArnParser, InvalidArnException
from moto.utilities.utils import get_partition

_PARSER = ArnParser()


def partition_of(region: str) -> str:
    """The partition a region belongs to: `aws`, `aws-cn`, `aws-us-gov`, ..."""
    return get_partition(region)


def parse(arn: str) -> dict[str, str] | None:
    """partition, service, region, account and resource of `arn`; None if it is not an ARN."""
    try:
        return _PARSER.parse_arn(arn)
    except (InvalidArnException, AttributeError, TypeError):
        return None


def account_of(arn: str) -> str | None:
    parts = parse(arn)
    return parts["account"] if parts else None


def sagemaker_endpoint_arn(region: str, account: str, name_in_arn: str) -> str:
    """The endpoint ARN for a name already spelt as ARNs hold it (the case rule lives in sagemaker_models)."""
    return f"arn:{partition_of(region)}:sagemaker:{region}:{account}:endpoint/{name_in_arn}"


def lambda_function_arn(region: str, account: str, name_or_arn: str) -> str:
    """The function ARN Lambda authorizes against for a FunctionName given as a name or an ARN.

    Lambda accepts a name, a partial ARN (`ACCOUNT:function:NAME`) or a full ARN; a
    qualifier suffix (`:alias` or `:version`) is part of the resource.
    """
    if parse(name_or_arn):
        return name_or_arn
    if ":function:" in name_or_arn:
        account, _, rest = name_or_arn.partition(":function:")
        return f"arn:{partition_of(region)}:lambda:{region}:{account}:function:{rest}"
    return f"arn:{partition_of(region)}:lambda:{region}:{account}:function:{name_or_arn}"


def lambda_function_name(function_arn: str) -> str:
    """NAME of arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]."""
    parts = parse(function_arn)
    return parts["resource"].split(":")[1] if parts and parts["resource"].count(":") >= 1 else function_arn


def iam_principal_kind(arn: str) -> str | None:
    """`role`, `user`, `root`, `assumed-role` ... for an IAM or STS principal ARN."""
    parts = parse(arn)
    if not parts or parts["service"] not in ("iam", "sts"):
        return None
    return parts["resource"].split("/", 1)[0]


def root_account(arn: str) -> str | None:
    """ACCOUNT of arn:PARTITION:iam::ACCOUNT:root (the account's root principal), else None."""
    parts = parse(arn)
    if parts and parts["service"] == "iam" and parts["resource"] == "root" and re.fullmatch(r"\d{12}", parts["account"]):
        return parts["account"]
    return None
