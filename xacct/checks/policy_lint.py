"""IAM catalogue checks of every policy the modules produce, with parliament.

parliament 1.6.4 checks each action against AWS's service definitions, each resource ARN
against the resource types of the actions it is granted for, and each condition key against
those the actions support (the job of IAM Access Analyzer's policy validation). A finding fails
unless policy_lint_justified.yaml beside this file accepts it with a reason.

The policies come from plans: `policies_in_plan()` reads `terraform show -json` output. A
role's trust policy is a resource-based policy whose resource is the role itself, so it has no
Resource element ("IAM JSON policy elements: Principal"); parliament would stop at "contains
neither Resource nor NotResource" and check nothing else, so each trust statement is linted
with a role ARN as its Resource, which lets the action, principal and condition keys be
checked against sts:AssumeRole on a role.

`python -m xacct.checks.policy_lint` (make lint) lints the recorded plan inventories in
tests/plan/cases; the `plan` tests lint fresh plans of those cases and of the examples.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import warnings

import yaml

with warnings.catch_warnings():  # parliament 1.6.4 imports the deprecated pkg_resources
    warnings.simplefilter("ignore", UserWarning)
    from parliament import analyze_policy_string

from xacct.paths import PROJECT_ROOT

JUSTIFIED = Path(__file__).with_name("policy_lint_justified.yaml")
CASES = PROJECT_ROOT / "tests" / "plan" / "cases"
POLICY_ATTRIBUTES = ("policy", "assume_role_policy")
PLACEHOLDER_ACCOUNT = "123456789012"  # the role's ARN is only known after apply


@dataclass(frozen=True)
class Policy:
    where: str  # what was planned: a case or an example
    address: str
    attribute: str
    document: dict


@dataclass(frozen=True)
class Finding:
    policy: Policy
    issue: str
    detail: str

    def __str__(self) -> str:
        return f"{self.policy.where}: {self.policy.address}.{self.policy.attribute}: {self.issue} {self.detail}"


@dataclass(frozen=True)
class Justification:
    address: str
    attribute: str
    issue: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return (finding.policy.address.endswith(self.address) and finding.policy.attribute == self.attribute
                and finding.issue == self.issue)


def load_justifications(path: Path = JUSTIFIED) -> list[Justification]:
    rows = yaml.safe_load(path.read_text()) or []
    for row in rows:
        if not str(row.get("reason") or "").strip():
            raise ValueError(f"{path.name}: the justification of {row.get('address')} {row.get('issue')} has no reason")
    return [Justification(**row) for row in rows]


def _as_document(value) -> dict | None:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) and "Statement" in value else None


def policies_in(where: str, resources: dict[str, dict]) -> list[Policy]:
    """Policies among planned resource values ({address: attributes}); unknown ones are absent."""
    found = []
    for address, values in sorted(resources.items()):
        if not isinstance(values, dict):  # an inventory's marker for a whole resource (__absent__)
            continue
        for attribute in POLICY_ATTRIBUTES:
            document = _as_document(values.get(attribute))
            if document is not None:
                found.append(Policy(where, address, attribute, document))
    return found


def policies_in_plan(where: str, shown: dict) -> list[Policy]:
    """Policies in the planned values of `terraform show -json <plan>`, from every module."""
    resources = {}

    def walk(module: dict) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") == "managed":
                resources[resource["address"]] = resource.get("values") or {}
        for child in module.get("child_modules", []):
            walk(child)

    walk(shown.get("planned_values", {}).get("root_module", {}))
    return policies_in(where, resources)


def _lintable(policy: Policy) -> dict:
    if policy.attribute != "assume_role_policy":
        return policy.document
    document = copy.deepcopy(policy.document)
    statements = document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
    for statement in statements:
        statement.setdefault("Resource", f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/trusted-role")
    document["Statement"] = statements
    return document


def lint(policies: list[Policy]) -> list[Finding]:
    findings = []
    for policy in policies:
        analysed = analyze_policy_string(json.dumps(_lintable(policy)))
        findings += [Finding(policy, f.issue, json.dumps(f.detail, sort_keys=True, default=str))
                     for f in analysed.findings]
    return findings


def unjustified(findings: list[Finding], justifications: list[Justification]) -> list[Finding]:
    return [f for f in findings if not any(j.covers(f) for j in justifications)]


def unused(findings: list[Finding], justifications: list[Justification]) -> list[Justification]:
    return [j for j in justifications if not any(j.covers(f) for f in findings)]


def recorded_policies() -> list[Policy]:
    """Policies in the plan inventories the plan tests keep equal to real plans."""
    policies = []
    for path in sorted(CASES.glob("*/*.yaml")):
        case = yaml.safe_load(path.read_text()) or {}
        policies += policies_in(f"{path.parent.name}/{path.stem}", case.get("values") or {})
    return policies


def main() -> int:
    policies = recorded_policies()
    findings = lint(policies)
    remaining = unjustified(findings, load_justifications())
    print("\n".join(map(str, remaining)) or
          f"policy lint: {len(policies)} policies, {len(findings)} finding(s), each justified in {JUSTIFIED.name}")
    return 1 if remaining else 0


if __name__ == "__main__":
    sys.exit(main())
