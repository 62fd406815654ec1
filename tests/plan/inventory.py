"""Compare a plan with a recorded inventory as a subset, in the cloud-foundation-fabric style.

Every value an inventory records must be in the plan and equal to it; whatever the plan
has beyond that (provider defaults, attributes a newer provider adds) is not compared, so
a provider upgrade does not rewrite every inventory. Two markers say more than a value:

* `__absent__`: the attribute (or resource) must not be in the plan, or be null or empty;
* `__known_after_apply__`: the attribute must be unknown until apply (for example a
  policy built from an ARN that AWS assigns).

Dicts are compared key by key (subset); lists must have the same length and are compared
item by item, so the actions of a policy statement are still compared exactly.
"""

from __future__ import annotations

ABSENT = "__absent__"
KNOWN_AFTER_APPLY = "__known_after_apply__"
_EMPTY = (None, [], {}, "")


def mismatches(expected, actual, path: str = "") -> list[str]:
    """Where `actual` differs from what `expected` records; an empty list when it holds all of it."""
    if expected == ABSENT:
        return [] if actual in _EMPTY else [f"{path}: must be absent, is {actual!r}"]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a map, is {actual!r}"]
        found = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                if value != ABSENT:
                    found.append(f"{where}: missing from the plan")
                continue
            found.extend(mismatches(value, actual[key], where))
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items {expected!r}, is {actual!r}"]
        found = []
        for index, (want, have) in enumerate(zip(expected, actual)):
            found.extend(mismatches(want, have, f"{path}[{index}]"))
        return found
    return [] if expected == actual else [f"{path}: expected {expected!r}, is {actual!r}"]
