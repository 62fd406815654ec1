"""Condition operators ("IAM JSON policy elements: Condition operators").

Each operator compares one policy value with one request value; `key_holds` applies the
documented rules for several values, absent keys, `...IfExists`, `Null` and the
`ForAllValues:` / `ForAnyValue:` set qualifiers.  An operator this module does not know
raises UnsupportedPolicyFeature: an unknown operator must never allow.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Mapping


class UnsupportedPolicyFeature(Exception):
    """A policy uses something this engine does not evaluate."""


def glob(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    # '*' matches any run of characters (including ':' and '/'), '?' exactly one.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def arn_like(pattern: str, value: str) -> bool:
    # ARN operators: each of the six colon-delimited components is matched
    # separately, so a '*' cannot swallow a ':' before the resource.
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(glob(p, v) for p, v in zip(pattern_parts, value_parts))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> datetime.datetime | None:
    # Date operators take ISO 8601 dates/times or epoch seconds ("Date condition operators").
    number = _number(text)
    if number is not None:
        return datetime.datetime.fromtimestamp(number, datetime.timezone.utc)
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _compare(parse: Callable[[str], object], test: Callable[[object, object], bool]):
    def match(policy_value: str, request_value: str) -> bool:
        # A value that does not parse matches nothing (it cannot satisfy the comparison).
        p, v = parse(policy_value), parse(request_value)
        return p is not None and v is not None and test(v, p)
    return match


def _in_network(policy_value: str, request_value: str) -> bool:
    # IpAddress takes an address or a CIDR block (IPv4 or IPv6).
    try:
        return ipaddress.ip_address(request_value) in ipaddress.ip_network(policy_value, strict=False)
    except ValueError:
        return False


_EQ, _LT, _LE = (lambda v, p: v == p), (lambda v, p: v < p), (lambda v, p: v <= p)
_GT, _GE = (lambda v, p: v > p), (lambda v, p: v >= p)

# name: (match(policy_value, request_value), negated)
OPERATORS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.casefold() == v.casefold(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.casefold() == v.casefold(), True),
    "StringLike": (glob, False),
    "StringNotLike": (glob, True),
    "NumericEquals": (_compare(_number, _EQ), False),
    "NumericNotEquals": (_compare(_number, _EQ), True),
    "NumericLessThan": (_compare(_number, _LT), False),
    "NumericLessThanEquals": (_compare(_number, _LE), False),
    "NumericGreaterThan": (_compare(_number, _GT), False),
    "NumericGreaterThanEquals": (_compare(_number, _GE), False),
    "DateEquals": (_compare(_date, _EQ), False),
    "DateNotEquals": (_compare(_date, _EQ), True),
    "DateLessThan": (_compare(_date, _LT), False),
    "DateLessThanEquals": (_compare(_date, _LE), False),
    "DateGreaterThan": (_compare(_date, _GT), False),
    "DateGreaterThanEquals": (_compare(_date, _GE), False),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
    "IpAddress": (_in_network, False),
    "NotIpAddress": (_in_network, True),
    "ArnEquals": (arn_like, False),  # ArnEquals and ArnLike behave identically
    "ArnLike": (arn_like, False),
    "ArnNotEquals": (arn_like, True),
    "ArnNotLike": (arn_like, True),
}
# Documented operators the engine does not evaluate: refused by name, never guessed.
KNOWN_UNSUPPORTED = {"BinaryEquals"}
_QUALIFIERS = ("ForAnyValue:", "ForAllValues:")


@dataclass(frozen=True)
class Operator:
    base: str
    qualifier: str | None
    if_exists: bool


def is_known_operator(name: str) -> bool:
    """True for every operator IAM accepts, whether or not this engine evaluates it."""
    try:
        parse_operator(name)
    except UnsupportedPolicyFeature as error:
        return "is not supported" in str(error)
    return True


def parse_operator(name: str) -> Operator:
    qualifier = next((q[:-1] for q in _QUALIFIERS if name.startswith(q)), None)
    base = name[len(qualifier) + 1:] if qualifier else name
    if_exists = base.endswith("IfExists")
    if if_exists:
        base = base[: -len("IfExists")]
    if base == "Null" and (if_exists or qualifier):
        # "You can add IfExists to the end of any condition operator name
        # except the Null condition".
        raise UnsupportedPolicyFeature(f"condition operator {name!r} is not valid")
    if base in KNOWN_UNSUPPORTED:
        raise UnsupportedPolicyFeature(f"condition operator {name!r} is not supported")
    if base != "Null" and base not in OPERATORS:
        raise UnsupportedPolicyFeature(f"condition operator {name!r} is not valid")
    return Operator(base, qualifier, if_exists)


def policy_values(values) -> list[str]:
    # JSON true/false and numbers are written as strings by AWS; accept both spellings.
    values = values if isinstance(values, list) else [values]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def conditions_hold(condition: dict, context: Mapping[str, list[str]]) -> bool:
    # All operators AND, all keys within an operator AND ("Condition" page).
    return all(
        key_holds(parse_operator(name), values, context.get(key.lower()))
        for name, block in condition.items()
        for key, values in block.items()
    )


def key_holds(op: Operator, values, request: list[str] | None) -> bool:
    wanted = policy_values(values)
    if op.base == "Null":
        # "true": the key must be absent; "false": it must be present.
        return any((v.lower() == "true") == (request is None) for v in wanted)
    match, negated = OPERATORS[op.base]
    if request is None:
        # Missing key ("Condition operators"; "Single-valued vs. multivalued context
        # keys"): IfExists -> true; ForAllValues -> true (vacuously); ForAnyValue ->
        # false; otherwise false for a positive operator, true for a negated one.
        if op.if_exists or op.qualifier == "ForAllValues":
            return True
        return False if op.qualifier == "ForAnyValue" else negated

    def value_ok(value: str) -> bool:
        # Multiple policy values for one key are ORed; a negated operator is
        # true only when the value matches none of them.
        return any(match(p, value) for p in wanted) != negated

    if op.qualifier == "ForAllValues":
        return all(value_ok(v) for v in request)
    if op.qualifier == "ForAnyValue":
        return any(value_ok(v) for v in request)
    positive = any(match(p, v) for p in wanted for v in request)
    return positive != negated
