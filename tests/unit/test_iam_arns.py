"""ARNs and partitions, read with botocore's ArnParser and moto's partition helper.

Specification: AWS General Reference / IAM User Guide "IAM identifiers" (ARN format
arn:partition:service:region:account-id:resource), Lambda API Reference Invoke
(FunctionName as name, partial ARN or ARN), SageMaker endpoint ARN format.
"""

from __future__ import annotations

import pytest

from xacct.emulator import arns

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("region, partition", [
    ("us-east-1", "aws"), ("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
])
def test_partition_follows_the_region(region, partition):
    """'IAM identifiers': the partition is aws, aws-cn or aws-us-gov by region, never assumed."""
    assert arns.partition_of(region) == partition
    assert arns.sagemaker_endpoint_arn(region, "111111111111", "model").startswith(f"arn:{partition}:sagemaker:{region}:")


@pytest.mark.parametrize("name, expected", [
    ("fn", "arn:aws:lambda:us-east-1:111111111111:function:fn"),
    ("fn:live", "arn:aws:lambda:us-east-1:111111111111:function:fn:live"),
    ("222222222222:function:fn", "arn:aws:lambda:us-east-1:222222222222:function:fn"),
    ("arn:aws:lambda:us-east-1:222222222222:function:fn", "arn:aws:lambda:us-east-1:222222222222:function:fn"),
])
def test_lambda_function_arn_from_each_form_of_function_name(name, expected):
    """Lambda API Reference, Invoke FunctionName: name, name:qualifier, partial ARN or ARN."""
    assert arns.lambda_function_arn("us-east-1", "111111111111", name) == expected
    assert arns.lambda_function_name(expected) == "fn"
    assert arns.account_of(expected) == expected.split(":")[4]


def test_root_account_and_principal_kinds():
    assert arns.root_account("arn:aws:iam::111111111111:root") == "111111111111"
    assert arns.root_account("arn:aws-cn:iam::111111111111:root") == "111111111111"
    assert arns.root_account("arn:aws:iam::111111111111:role/root") is None
    assert arns.root_account("111111111111") is None
    assert arns.iam_principal_kind("arn:aws:sts::111111111111:assumed-role/r/s") == "assumed-role"
    assert arns.iam_principal_kind("arn:aws:lambda:us-east-1:111111111111:function:f") is None
    assert arns.parse("not an arn") is None
