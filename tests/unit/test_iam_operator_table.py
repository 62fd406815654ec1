"""The condition operator table, one row per operator AWS documents.

mutmut mutates code inside functions only, so the module-level table in
xacct/emulator/conditions.py (which function each operator uses, and whether it is
negated) is pinned here row by row instead: flipping one operator's negation flag, or
giving it another comparison, fails its row.

Source: AWS IAM User Guide, "IAM JSON policy elements: Condition operators" (String,
Numeric, Date, Boolean, IP address and ARN condition operators). Each negated operator
("...Not...") is documented as the negation of its positive twin: with a present key it is
true exactly when the positive operator is false.
"""

from __future__ import annotations

import pytest

from xacct.emulator import conditions

pytestmark = pytest.mark.unit

ARN = "arn:aws:iam::111111111111:role/ops"
# operator -> (policy value, a request value it matches, a request value it does not match),
# written for the positive operator of each pair; the negated twin uses the same row.
_POSITIVE = {
    "StringEquals": ("blue", "blue", "Blue"),
    "StringEqualsIgnoreCase": ("blue", "BLUE", "green"),
    "StringLike": ("team-*", "team-blue", "squad-blue"),
    "NumericEquals": ("10", "10.0", "11"),
    "NumericLessThan": ("10", "9", "10"),
    "NumericLessThanEquals": ("10", "10", "11"),
    "NumericGreaterThan": ("10", "11", "10"),
    "NumericGreaterThanEquals": ("10", "10", "9"),
    "DateEquals": ("2026-01-01T00:00:00Z", "1767225600", "2026-01-01T00:00:01Z"),
    "DateLessThan": ("2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"),
    "DateLessThanEquals": ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
    "DateGreaterThan": ("2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-01T00:00:00Z"),
    "DateGreaterThanEquals": ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", "2025-12-31T23:59:59Z"),
    "Bool": ("true", "TRUE", "false"),
    "IpAddress": ("203.0.113.0/24", "203.0.113.7", "198.51.100.7"),
    "ArnEquals": ("arn:aws:iam::111111111111:role/*", ARN, "arn:aws:iam::222222222222:role/ops"),
    "ArnLike": ("arn:aws:iam::*:role/ops", ARN, "arn:aws:iam::111111111111:user/ops"),
}
# The documented negated operators and the positive operator each one negates.
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}
ROWS = [(name, False, *row) for name, row in _POSITIVE.items()] + [
    (name, True, *_POSITIVE[positive]) for name, positive in _NEGATED.items()]


def holds(operator: str, policy_value: str, request_value: str) -> bool:
    return conditions.key_holds(conditions.parse_operator(operator), policy_value, [request_value])


def test_the_table_holds_every_documented_evaluated_operator():
    """'Condition operators': these are the String, Numeric, Date, Boolean, IP address
    and ARN operators; Null is decided apart, BinaryEquals is refused by name."""
    assert set(conditions.OPERATORS) == {name for name, *_ in ROWS}
    assert conditions.KNOWN_UNSUPPORTED == {"BinaryEquals"}


@pytest.mark.parametrize("operator, negated, policy_value, match, no_match", ROWS, ids=[r[0] for r in ROWS])
def test_each_operator_matches_and_negates_as_documented(operator, negated, policy_value, match, no_match):
    """'Condition operators': a positive operator is true for a matching value and false
    for another; its "Not" twin is the opposite for the same values."""
    assert conditions.OPERATORS[operator][1] is negated
    assert holds(operator, policy_value, match) is (not negated)
    assert holds(operator, policy_value, no_match) is negated


@pytest.mark.parametrize("operator", sorted(conditions.OPERATORS))
def test_a_missing_key_fails_positive_and_passes_negated_operators(operator):
    """'Condition operators': if the key is not present in the request context, the
    condition evaluates to false -- except for the negated operators, which match when
    the key is absent (e.g. StringNotEquals, ArnNotLike, NotIpAddress)."""
    negated = operator in _NEGATED
    assert conditions.key_holds(conditions.parse_operator(operator), "x", None) is negated
