"""What the parent module's inputs intend: which principal may reach which endpoint, and how.

The rules are written from the AWS documentation, independently of the emulator's policy
engine, so that a mistake in either the module or the engine shows up as a difference:

- IAM User Guide, "Cross-account policy evaluation logic": a principal of another account
  needs both an identity policy allowing sts:AssumeRole on the role and the role's trust.
- IAM User Guide, "AWS JSON policy elements: Principal": `arn:aws:iam::ACCOUNT:root` in a
  trust policy stands for every principal of that account (the identity policy decides).
- IAM User Guide, "IAM JSON policy elements: Condition operators", ARN condition operators:
  ArnLike compares each of the six colon-delimited ARN components separately, with `*`
  and `?` as wildcards, case-sensitively.
- IAM User Guide, "AWS global condition context keys": aws:PrincipalArn of a role session
  is the role's ARN; aws:PrincipalOrgID is the principal's organization.
- STS API Reference, AssumeRole: ExternalId is matched by the trust's sts:ExternalId condition.
- SageMaker endpoint ARNs hold the endpoint name in lower case ("Amazon SageMaker AI
  resource types", Service Authorization Reference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ANY_ROLE = "*"  # a grant on every role (an administrator's Action "*" on Resource "*")

# The parent module's inputs that decide who reaches what (each has its rule below), and
# those that only name, size or tag things.
DECIDING_INPUTS = {"create", "trusted_account_ids", "trusted_principal_arn_patterns", "require_external_id",
                   "external_ids", "trusted_organization_id", "endpoints", "allowed_invocations", "permissions_boundary_arn"}
NAMING_INPUTS = {"name_prefix", "role_name_prefix", "policy_name_prefix", "role_name", "policy_name", "role_path",
                 "max_session_duration", "trust_policy_max_characters", "tags"}


# The IAM action each kind of call is authorized against, written from the SageMaker Runtime
# API Reference (InvokeEndpointWithResponseStream: "your IAM permissions must allow the
# sagemaker:InvokeEndpoint action"), not read from the module.
ACTIONS_FOR = {"sync": ("sagemaker:InvokeEndpoint",), "stream": ("sagemaker:InvokeEndpoint",),
               "async": ("sagemaker:InvokeEndpointAsync",)}


def actions_for(invocations) -> tuple[str, ...]:
    return tuple(sorted({action for call in invocations for action in ACTIONS_FOR[call]}))


class UnmodelledInput(ValueError):
    """The root sets a parent-module input whose effect on access has no rule here yet."""


@dataclass(frozen=True)
class ParentIntent:
    """One parent role and the module inputs that decide who reaches what through it."""

    role_arn: str
    created: bool
    trusted_account_ids: tuple[str, ...]
    principal_arn_patterns: tuple[str, ...]
    require_external_id: bool
    external_ids: tuple[str, ...]
    organization_id: str | None
    endpoints: tuple[str, ...]  # names or ARNs, as given to the module
    invoke_actions: tuple[str, ...]

    @classmethod
    def from_inputs(cls, role_arn: str, inputs: dict, set_by_root: set[str]) -> "ParentIntent":
        """The intent of one parent module call, from its inputs (as evaluated by Terraform).

        An input the root sets that is neither deciding nor naming is refused, so a new
        input (an organization mode, say) cannot widen access unnoticed.
        """
        unknown = sorted(set_by_root - DECIDING_INPUTS - NAMING_INPUTS)
        if unknown:
            raise UnmodelledInput(f"the parent module inputs {', '.join(unknown)} are set, but the reachability "
                                  "intent has no rule for them: add one in xacct/reachability/intent.py")
        if inputs.get("permissions_boundary_arn") is not None:
            raise UnmodelledInput(f"permissions_boundary_arn is set ({inputs['permissions_boundary_arn']!r}): "
                                  "the reachability intent does not model boundaries")
        return cls(
            role_arn=role_arn,
            created=bool(inputs.get("create", True)),
            trusted_account_ids=tuple(inputs.get("trusted_account_ids") or ()),
            principal_arn_patterns=tuple(inputs.get("trusted_principal_arn_patterns") or ()),
            require_external_id=bool(inputs.get("require_external_id", True)),
            external_ids=tuple(inputs.get("external_ids") or ()),
            organization_id=inputs.get("trusted_organization_id"),
            endpoints=tuple(inputs.get("endpoints") or ()),
            invoke_actions=actions_for(inputs.get("allowed_invocations") or ("sync",)),
        )

    @property
    def account(self) -> str:
        return self.role_arn.split(":")[4]

    def endpoint_arns(self, region: str) -> set[str]:
        arns = set()
        for endpoint in self.endpoints:
            if endpoint.startswith("arn:"):
                head, name = endpoint.split("/", 1)
                arns.add(f"{head}/{name.lower()}")
            else:
                arns.add(f"arn:aws:sagemaker:{region}:{self.account}:endpoint/{endpoint.lower()}")
        return arns


@dataclass(frozen=True)
class Principal:
    """A caller of the universe: what it is, and which roles its own policies let it assume."""

    label: str
    arn: str  # the IAM user or role ARN (aws:PrincipalArn), never a session ARN
    grants: frozenset[str] = field(default_factory=frozenset)  # role ARNs, or ANY_ROLE

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    def may_call_assume_role(self, role_arn: str) -> bool:
        return ANY_ROLE in self.grants or role_arn in self.grants


def arn_like(arn: str, pattern: str) -> bool:
    """ArnLike: each of the six components matched on its own, `*` and `?` as wildcards."""
    arn_parts, pattern_parts = arn.split(":", 5), pattern.split(":", 5)
    if len(arn_parts) != 6 or len(pattern_parts) != 6:
        return False
    return all(_glob(p).fullmatch(a) is not None for a, p in zip(arn_parts, pattern_parts))


def _glob(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def may_assume(principal: Principal, role: ParentIntent, external_id: str | None,
               organizations: dict[str, str]) -> bool:
    """Whether the inputs intend AssumeRole of `role` by `principal` with `external_id` to succeed."""
    if not role.created or principal.account not in role.trusted_account_ids:
        return False
    if not principal.may_call_assume_role(role.role_arn):
        return False
    if role.principal_arn_patterns and not any(arn_like(principal.arn, p) for p in role.principal_arn_patterns):
        return False
    if role.require_external_id and external_id not in role.external_ids:
        return False
    if role.organization_id is not None and organizations.get(principal.account) != role.organization_id:
        return False
    return True


def may_invoke(role: ParentIntent, endpoint_arn: str, action: str, region: str) -> bool:
    """Whether a session of `role` is intended to call `action` on `endpoint_arn`."""
    actions = {a.lower() for a in role.invoke_actions}
    return action.lower() in actions and endpoint_arn in role.endpoint_arns(region)


@dataclass(frozen=True)
class Case:
    """One attempt: a principal assumes a parent role with an external-ID case, then invokes."""

    principal: str
    role_arn: str
    external_id_case: str  # "right", "wrong" or "none"
    call: str  # "sts:AssumeRole" or "<action> <endpoint ARN>"


def intended_outcomes(principals: list[Principal], roles: list[ParentIntent], endpoint_arns: list[str],
                      actions: list[str], external_id_cases: dict[str, dict[str, str | None]],
                      organizations: dict[str, str], region: str) -> dict[Case, bool]:
    """Every case of the matrix, allowed or not, as the inputs intend.

    `external_id_cases` maps a role ARN to {"right": ..., "wrong": ..., "none": None}.
    An invoke is intended only after an intended AssumeRole.
    """
    outcomes: dict[Case, bool] = {}
    for principal in principals:
        for role in roles:
            for case, external_id in external_id_cases[role.role_arn].items():
                assumed = may_assume(principal, role, external_id, organizations)
                outcomes[Case(principal.label, role.role_arn, case, "sts:AssumeRole")] = assumed
                for endpoint_arn in endpoint_arns:
                    for action in actions:
                        outcomes[Case(principal.label, role.role_arn, case, f"{action} {endpoint_arn}")] = (
                            assumed and may_invoke(role, endpoint_arn, action, region))
    return outcomes


NOT_TRIED = "not tried"


def differences(intended: dict[Case, bool], actual: dict[Case, bool | None]) -> list[str]:
    """Every case whose outcome differs from the intent, or that was not tried at all.

    An actual outcome of None is a call that failed other than by a denial.
    """
    describe = {True: "allowed", False: "denied", None: "an error", NOT_TRIED: "not tried"}
    found = []
    for case in sorted(intended.keys() | actual.keys(), key=lambda c: (c.principal, c.role_arn, c.external_id_case, c.call)):
        want, got = intended.get(case, NOT_TRIED), actual.get(case, NOT_TRIED)
        if want != got:
            found.append(f"{case.principal} -> {case.role_arn} (external ID {case.external_id_case}) {case.call}: "
                         f"intended {describe[want]}, actual {describe[got]}")
    return found
