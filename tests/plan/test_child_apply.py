"""The child module applied on the emulator: what its plan can show only as known after apply.

The execution role's log policy is built from the log group's own ARN (which AWS assigns),
so the plan inventories record it as `__known_after_apply__`; the apply here checks it.
"""

from __future__ import annotations

import pytest

from tests.plan.fixture import ModuleFixture, load_cases

pytestmark = pytest.mark.plan


def test_log_policy_covers_exactly_the_functions_log_streams(target, run_prefix):
    """CloudWatch Logs "Actions, resources, and condition keys": logs:CreateLogStream and
    logs:PutLogEvents act on the log-group resource `...:log-group:NAME`, and the trailing
    `:*` admits its log streams. The provider removes that suffix from the log group's
    `arn` attribute, so the module must add it back once, not twice."""
    inputs = {**dict(load_cases("child"))["minimal"]["inputs"], "name_prefix": f"{run_prefix}lg-"}
    fixture = ModuleFixture(target, "child", inputs)
    try:
        fixture.root.apply()
        child_id = target.client("sts", "child").get_caller_identity()["Account"]
        function = f"{inputs['name_prefix']}sagemaker-invoker"
        policy = target.client("iam", "child").get_role_policy(
            RoleName=f"{function}-exec", PolicyName="WriteOwnLogs")["PolicyDocument"]
        described = target.client("logs", "child").describe_log_groups(
            logGroupNamePrefix=f"/aws/lambda/{function}")["logGroups"]
    finally:
        fixture.close()
    expected = f"arn:aws:logs:us-east-1:{child_id}:log-group:/aws/lambda/{function}:*"
    assert policy["Statement"] == [{
        "Sid": "WriteOwnLogs", "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": expected,
    }]
    # DescribeLogGroups reports the ARN with the trailing :* (CloudWatch Logs API Reference, LogGroup.arn).
    assert [g["arn"] for g in described] == [expected]
