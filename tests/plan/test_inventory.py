"""The subset comparison of plans with inventories reports what it must (tests/plan/inventory.py)."""

from __future__ import annotations

import pytest

from tests.plan.inventory import ABSENT, KNOWN_AFTER_APPLY, mismatches

pytestmark = pytest.mark.plan

PLAN = {
    "aws_iam_role.this[0]": {"name": "app-exec", "path": "/", "max_session_duration": 3600,
                             "permissions_boundary": None},
    "aws_iam_role_policy.logs[0]": {"name": "WriteOwnLogs", "policy": KNOWN_AFTER_APPLY},
    "aws_lambda_function.this[0]": {
        "environment": [{"variables": {"LOG_LEVEL": "INFO", "PARENT_ROLE_ARN": "arn:aws:iam::111111111111:role/P"}}],
        "tracing_config": [{"mode": "PassThrough"}],
    },
}


def test_a_recorded_subset_matches_and_provider_defaults_are_not_compared():
    inventory = {
        "aws_iam_role.this[0]": {"name": "app-exec", "permissions_boundary": ABSENT},
        "aws_iam_role_policy.logs[0]": {"policy": KNOWN_AFTER_APPLY},
        "aws_iam_role_policy.vpc[0]": ABSENT,
        "aws_lambda_function.this[0]": {"environment": [{"variables": {"LOG_LEVEL": "INFO", "EXTERNAL_ID": ABSENT}}]},
    }
    assert mismatches(inventory, PLAN) == []


def test_a_seeded_mismatch_is_reported_with_its_path():
    inventory = {"aws_lambda_function.this[0]": {"environment": [{"variables": {"LOG_LEVEL": "DEBUG"}}]}}
    assert mismatches(inventory, PLAN) == [
        "aws_lambda_function.this[0].environment[0].variables.LOG_LEVEL: expected 'DEBUG', is 'INFO'"]


def test_a_value_marked_absent_but_present_is_reported():
    inventory = {"aws_iam_role.this[0]": {"path": ABSENT}, "aws_iam_role_policy.logs[0]": ABSENT}
    assert mismatches(inventory, PLAN) == [
        "aws_iam_role.this[0].path: must be absent, is '/'",
        "aws_iam_role_policy.logs[0]: must be absent, is {'name': 'WriteOwnLogs', 'policy': '__known_after_apply__'}",
    ]


def test_a_recorded_value_missing_from_the_plan_is_reported():
    inventory = {"aws_iam_role.this[0]": {"description": "Execution role"}}
    assert mismatches(inventory, PLAN) == ["aws_iam_role.this[0].description: missing from the plan"]


def test_lists_are_compared_whole_so_an_extra_or_missing_action_is_reported():
    expected = {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"]}
    assert mismatches(expected, {"Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:*"]})
    assert mismatches(expected, {"Action": ["logs:CreateLogStream"]})
    assert mismatches(expected, {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"]}) == []


def test_a_value_known_only_after_apply_does_not_match_a_recorded_value():
    inventory = {"aws_iam_role_policy.logs[0]": {"policy": {"Version": "2012-10-17"}}}
    assert mismatches(inventory, PLAN) == [
        "aws_iam_role_policy.logs[0].policy: expected a map, is '__known_after_apply__'"]
