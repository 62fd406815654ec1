"""The reachability intent: the rules that say who the parent module's inputs admit, and the
comparison that must fail on any difference between intent and outcome.

Rules are checked against the AWS documentation pages they encode (cited per test); the
comparison is checked by seeding a wrong intent and requiring that it is reported.
"""

from __future__ import annotations

import pytest

from xacct.reachability.intent import (ANY_ROLE, Case, ParentIntent, Principal, UnmodelledInput, arn_like,
                                       differences, intended_outcomes, may_assume, may_invoke)
from xacct.reachability.module_inputs import ModuleInputsError, arguments_set, module_call, to_expression
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

PARENT, CHILD, OUTSIDER = "111111111111", "222222222222", "333333333333"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{PARENT}:role/SageMakerExternal"
EXEC = f"arn:aws:iam::{CHILD}:role/sagemaker-invoker-exec"
ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync"]
ENDPOINTS = [f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/fraud-model", f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/other"]
EXTERNAL_ID_CASES = {ROLE: {"right": "ext-1", "wrong": "ext-wrong", "none": None}}

INPUTS = {
    "create": True, "trusted_account_ids": [CHILD], "trusted_principal_arn_patterns": [EXEC],
    "require_external_id": True, "external_ids": ["ext-1"], "trusted_organization_id": None,
    "endpoints": ["Fraud-Model"], "allowed_invocations": ["sync"], "permissions_boundary_arn": None,
    "name_prefix": "", "role_name": "SageMakerExternal",
}
SET_BY_ROOT = {"trusted_account_ids", "trusted_principal_arn_patterns", "external_ids", "endpoints", "name_prefix"}

INVOKER = Principal("invoker exec role", EXEC, frozenset({ROLE}))
OTHER_CHILD_ROLE = Principal("child role with grant", f"arn:aws:iam::{CHILD}:role/other", frozenset({ROLE}))
UNGRANTED_EXEC = Principal("invoker without grant", EXEC, frozenset())
OUTSIDER_ROLE = Principal("outsider role with grant", f"arn:aws:iam::{OUTSIDER}:role/outsider", frozenset({ROLE}))
CHILD_ADMIN = Principal("child admin", f"arn:aws:iam::{CHILD}:user/admin", frozenset({ANY_ROLE}))
PRINCIPALS = [INVOKER, OTHER_CHILD_ROLE, OUTSIDER_ROLE, CHILD_ADMIN]


def intent(**changes) -> ParentIntent:
    return ParentIntent.from_inputs(ROLE, {**INPUTS, **changes}, SET_BY_ROOT)


# --- ArnLike ----------------------------------------------------------------------------
# IAM User Guide, "IAM JSON policy elements: Condition operators" (ARN condition operators):
# ArnLike is case-sensitive; each of the six colon-delimited components of the ARN is checked
# separately, and each may hold the wildcards * (any characters) and ? (one character).

@pytest.mark.parametrize(("arn", "pattern", "matches"), [
    (EXEC, EXEC, True),
    (f"arn:aws:iam::{CHILD}:role/sagemaker-invoker-exec-v2", EXEC, False),  # a look-alike name
    (f"arn:aws:iam::{CHILD}:role/team/x", f"arn:aws:iam::{CHILD}:role/*", True),  # * spans / inside a component
    (f"arn:aws:iam::{CHILD}:role/a-exec", f"arn:aws:iam::{CHILD}:role/?-exec", True),
    (f"arn:aws:iam::{CHILD}:role/ab-exec", f"arn:aws:iam::{CHILD}:role/?-exec", False),
    (f"arn:aws:iam::{CHILD}:Role/sagemaker-invoker-exec", EXEC, False),  # case-sensitive
    (f"arn:aws:iam::{OUTSIDER}:role/sagemaker-invoker-exec", "arn:aws:iam::*:role/sagemaker-invoker-exec", True),
    (f"arn:aws:iam::{CHILD}:role/x", f"arn:aws:iam::{CHILD}*", False),  # * does not reach across components
    (f"arn:aws:iam::{CHILD}:role/x.y", f"arn:aws:iam::{CHILD}:role/x?y", True),  # regex characters are literal
    (f"arn:aws:iam::{CHILD}:role/xzy", f"arn:aws:iam::{CHILD}:role/x.y", False),
])
def test_arn_like_compares_each_component(arn, pattern, matches):
    assert arn_like(arn, pattern) is matches


# --- AssumeRole -------------------------------------------------------------------------

def test_the_invoker_with_the_right_external_id_is_admitted():
    assert may_assume(INVOKER, intent(), "ext-1", {}) is True


@pytest.mark.parametrize("external_id", ["ext-wrong", None])
def test_a_wrong_or_missing_external_id_is_refused(external_id):
    # STS API Reference, AssumeRole (ExternalId), matched by the trust's sts:ExternalId condition.
    assert may_assume(INVOKER, intent(), external_id, {}) is False


def test_without_required_external_id_any_or_none_passes():
    assert may_assume(INVOKER, intent(require_external_id=False), None, {}) is True


def test_cross_account_needs_the_callers_own_grant():
    # IAM User Guide, "Cross-account policy evaluation logic": the identity policy must allow too.
    assert may_assume(UNGRANTED_EXEC, intent(), "ext-1", {}) is False


def test_a_principal_outside_the_patterns_is_refused_even_with_a_grant():
    assert may_assume(OTHER_CHILD_ROLE, intent(), "ext-1", {}) is False
    assert may_assume(CHILD_ADMIN, intent(), "ext-1", {}) is False


def test_without_patterns_the_trusted_account_decides_through_its_grants():
    # IAM User Guide, "AWS JSON policy elements: Principal": the account root stands for every
    # principal of the account, whose identity policies then decide.
    assert may_assume(OTHER_CHILD_ROLE, intent(trusted_principal_arn_patterns=[]), "ext-1", {}) is True
    assert may_assume(CHILD_ADMIN, intent(trusted_principal_arn_patterns=[]), "ext-1", {}) is True


def test_an_untrusted_account_is_refused_whatever_it_holds():
    widened = intent(trusted_principal_arn_patterns=["arn:aws:iam::*:role/*"])
    assert may_assume(OUTSIDER_ROLE, widened, "ext-1", {}) is False


def test_organization_condition_needs_the_callers_organization():
    # IAM User Guide, "AWS global condition context keys": aws:PrincipalOrgID.
    scoped = intent(trusted_organization_id="o-abc")
    assert may_assume(INVOKER, scoped, "ext-1", {CHILD: "o-abc"}) is True
    assert may_assume(INVOKER, scoped, "ext-1", {CHILD: "o-other"}) is False
    assert may_assume(INVOKER, scoped, "ext-1", {}) is False


def test_a_role_not_created_admits_nobody():
    assert may_assume(INVOKER, intent(create=False), "ext-1", {}) is False


# --- invoke -----------------------------------------------------------------------------

def test_invoke_only_named_endpoints_in_lower_case_and_listed_actions():
    # Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    # SageMaker AI": endpoint ARNs hold the name in lower case.
    role = intent()
    assert may_invoke(role, ENDPOINTS[0], "sagemaker:InvokeEndpoint", REGION) is True
    assert may_invoke(role, ENDPOINTS[1], "sagemaker:InvokeEndpoint", REGION) is False
    assert may_invoke(role, ENDPOINTS[0], "sagemaker:InvokeEndpointAsync", REGION) is False
    by_arn = intent(endpoints=[f"arn:aws:sagemaker:{REGION}:{PARENT}:endpoint/Fraud-Model"])
    assert may_invoke(by_arn, ENDPOINTS[0], "SageMaker:invokeendpoint", REGION) is True


# --- inputs the intent has no rule for ----------------------------------------------------

def test_an_unmodelled_input_set_by_the_root_is_refused():
    with pytest.raises(UnmodelledInput, match="trust_mode are set"):
        ParentIntent.from_inputs(ROLE, {**INPUTS, "trust_mode": "organization"}, SET_BY_ROOT | {"trust_mode"})


def test_a_permissions_boundary_is_refused():
    with pytest.raises(UnmodelledInput, match="permissions_boundary_arn"):
        intent(permissions_boundary_arn=f"arn:aws:iam::{PARENT}:policy/boundary")


# --- the comparison -----------------------------------------------------------------------

def outcomes(role: ParentIntent) -> dict[Case, bool]:
    return intended_outcomes(PRINCIPALS, [role], ENDPOINTS, ACTIONS, EXTERNAL_ID_CASES, {}, REGION)


def test_matrix_covers_every_principal_role_case_endpoint_and_action():
    matrix = outcomes(intent())
    assert len(matrix) == len(PRINCIPALS) * 3 * (1 + len(ENDPOINTS) * len(ACTIONS))
    assert {c for c, allowed in matrix.items() if allowed} == {
        Case(INVOKER.label, ROLE, "right", "sts:AssumeRole"),
        Case(INVOKER.label, ROLE, "right", f"sagemaker:InvokeEndpoint {ENDPOINTS[0]}"),
    }


def test_no_difference_when_outcome_equals_intent():
    assert differences(outcomes(intent()), outcomes(intent())) == []


def test_an_intent_that_wrongly_admits_one_principal_is_reported():
    actual = outcomes(intent())
    seeded = outcomes(intent(trusted_principal_arn_patterns=[EXEC, OTHER_CHILD_ROLE.arn]))
    found = differences(seeded, actual)
    assert found == [
        f"child role with grant -> {ROLE} (external ID right) sagemaker:InvokeEndpoint {ENDPOINTS[0]}: intended allowed, actual denied",
        f"child role with grant -> {ROLE} (external ID right) sts:AssumeRole: intended allowed, actual denied",
    ]


def test_a_call_not_tried_or_failing_is_a_difference():
    intended = outcomes(intent())
    actual = dict(intended)
    missing = Case(OUTSIDER_ROLE.label, ROLE, "none", "sts:AssumeRole")
    errored = Case(INVOKER.label, ROLE, "right", f"sagemaker:InvokeEndpoint {ENDPOINTS[0]}")
    del actual[missing]
    actual[errored] = None
    assert differences(intended, actual) == [
        f"invoker exec role -> {ROLE} (external ID right) sagemaker:InvokeEndpoint {ENDPOINTS[0]}: intended allowed, actual an error",
        f"outsider role with grant -> {ROLE} (external ID none) sts:AssumeRole: intended denied, actual not tried",
    ]


# --- reading the module call back as Terraform expressions ----------------------------------

def test_the_two_accounts_parent_call_reads_back_as_expressions():
    root = PROJECT_ROOT / "examples" / "two-accounts"
    call = module_call(root, "parent")
    assert {"trusted_account_ids", "trusted_principal_arn_patterns", "external_ids", "endpoints"} <= arguments_set(root, "parent")
    assert "source" not in arguments_set(root, "parent")
    assert to_expression(call["external_ids"]) == "[var.external_id]"
    assert to_expression(call["endpoints"]) == "local.endpoint_names"
    assert to_expression(call["trusted_principal_arn_patterns"]).startswith('["arn:')


def test_literals_read_back_unchanged():
    assert to_expression(['"quoted \\" text"', True, None, 3]) == '["quoted \\" text", true, null, 3]'
    assert to_expression({"k": "${var.x}"}) == "{k = var.x}"


def test_a_value_that_is_neither_literal_nor_expression_is_refused():
    with pytest.raises(ModuleInputsError, match="cannot read the argument value 'bare'"):
        to_expression(["bare"])


def test_the_table_and_the_verdict_show_a_seeded_difference():
    from xacct.reachability.run import Proof
    from xacct.reachability.table import render

    proof = Proof(callers=[INVOKER, OTHER_CHILD_ROLE], intents=[intent()], external_id_cases=EXTERNAL_ID_CASES,
                  region=REGION, roles={ROLE: "example"}, endpoints={"Fraud-Model": ENDPOINTS[0]},
                  actions=["sagemaker:InvokeEndpoint"])
    proof.intended = proof.outcomes_for(proof.intents)
    proof.actual = dict(proof.intended)
    proof.tried = {c for c in proof.intended if c.call == "sts:AssumeRole" or proof.intended[c]}
    assert proof.holds
    intruder = Case(OTHER_CHILD_ROLE.label, ROLE, "right", "sts:AssumeRole")
    proof.actual[intruder] = True  # the seeded mistake: a principal outside the pattern got in
    assert not proof.holds
    rows = {line.split("  R1  ")[0].strip() + " " + line.split("  R1  ")[1].split()[0]: line
            for line in render(proof, proof.actions).splitlines() if "  R1  " in line}
    assert "allow !(want deny)" in rows["child role with grant right"]
    assert "!(want" not in rows["invoker exec role right"]
    assert rows["invoker exec role right"].split()[-2:] == ["allow", "allow"]


# --- what the probe counts as a denial ------------------------------------------------------

def _raises(code: str, message: str):
    from botocore.exceptions import ClientError

    def call():
        raise ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")
    return call


def test_only_aws_denial_of_this_very_call_counts_as_denied():
    # STS API Reference, AssumeRole (Errors) and IAM User Guide, "Troubleshoot access denied
    # error messages": the denial names the caller, the action and the resource.
    from xacct.reachability.probe import _outcome

    def denial_of(resource: str, action: str = "sts:AssumeRole") -> str:
        return f"User: {EXEC} is not authorized to perform: {action} on resource: {resource}"

    assert _outcome(_raises("AccessDenied", denial_of(ROLE)), "AccessDenied", "sts:AssumeRole", ROLE.__eq__) == {
        "allowed": False, "message": denial_of(ROLE)}
    assert _outcome(_raises("AccessDenied", denial_of(ROLE + "-other")), "AccessDenied", "sts:AssumeRole",
                    ROLE.__eq__)["allowed"] is None
    assert _outcome(_raises("AccessDenied", denial_of(ROLE, "sts:TagSession")), "AccessDenied", "sts:AssumeRole",
                    ROLE.__eq__)["allowed"] is None
    assert _outcome(_raises("ValidationError", "1 validation error"), "AccessDenied", "sts:AssumeRole", ROLE.__eq__) == {
        "allowed": None, "error": "ValidationError: 1 validation error"}
    assert _outcome(lambda: None, "AccessDenied", "sts:AssumeRole", ROLE.__eq__) == {"allowed": True}
