"""Apply both examples on the emulator, try every caller against every parent role, endpoint
and invoke action, and compare what succeeded with what the parent module's inputs intend.

`python -m xacct.reachability` (`make reachability`) prints the matrix, the number of calls
tried and the differences, and exits non-zero on any difference. Everything it creates is
destroyed, even after a failure or Ctrl-C.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from xacct.docs import read_variables
from xacct.reachability import probe
from xacct.reachability.intent import (DECIDING_INPUTS, NAMING_INPUTS, Case, ParentIntent, Principal, UnmodelledInput,
                                       differences, intended_outcomes)
from xacct.reachability.module_inputs import ModuleInputsError, arguments_set, module_inputs
from xacct.reachability.table import render
from xacct.reachability.universe import Universe
from xacct.staging import LeftoverResources, StagedRoot
from xacct.paths import PROJECT_ROOT

ACTIONS = ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointAsync"]
PARENT_MODULE = PROJECT_ROOT / "modules" / "parent"
CHILD_MODULE = PROJECT_ROOT / "modules" / "child"
# The offline provider (hashicorp/aws 3.39) accepts Lambda runtimes up to python3.8.
OFFLINE_RUNTIME = "python3.8"
PARALLEL_CALLERS = 4
WRONG_EXTERNAL_ID = "reachability-wrong-external-id"
# The emulator's accounts belong to no organization unless a run says so; this one does not.
ORGANIZATIONS: dict[str, str] = {}


def example_variables(prefix: str, model_image: str, runtime: str, tags: dict[str, str]) -> dict[str, dict]:
    """Each example's inputs, explicit: the intent is read back from what these make the module receive."""
    return {
        "two-accounts": {
            "name_prefix": f"{prefix}a-", "external_id": "reach-two-accounts-1", "grant_child_assume": True,
            "create_demo_endpoint": True, "demo_endpoint_name": f"{prefix}a-Echo", "demo_model_image": model_image,
            "lambda_runtime": runtime, "tags": tags,
        },
        "multi-child": {
            "name_prefix": f"{prefix}m-", "external_id": "reach-multi-child-1", "children": ["team-a", "team-b"],
            "create_demo_endpoint": True, "demo_endpoint_name": f"{prefix}m-echo", "demo_model_image": model_image,
            "lambda_runtime": runtime, "tags": tags,
        },
    }


@dataclass
class Proof:
    intended: dict[Case, bool] = field(default_factory=dict)
    actual: dict[Case, bool | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0
    callers: list[Principal] = field(default_factory=list)
    intents: list[ParentIntent] = field(default_factory=list)
    external_id_cases: dict[str, dict[str, str | None]] = field(default_factory=dict)  # role ARN -> case -> ID
    region: str = ""
    roles: dict[str, str] = field(default_factory=dict)      # role ARN -> example
    endpoints: dict[str, str] = field(default_factory=dict)  # endpoint name -> ARN
    records: list[dict] = field(default_factory=list)
    tried: set[Case] = field(default_factory=set)
    actions: list[str] = field(default_factory=list)

    @property
    def principals(self) -> list[str]:
        return [p.label for p in self.callers]

    def outcomes_for(self, intents: list[ParentIntent]) -> dict[Case, bool]:
        """The matrix as `intents` would have it, for these callers, endpoints and actions."""
        return intended_outcomes(self.callers, intents, list(self.endpoints.values()), self.actions,
                                 self.external_id_cases, ORGANIZATIONS, self.region)

    @property
    def differences(self) -> list[str]:
        return differences(self.intended, self.actual)

    @property
    def holds(self) -> bool:
        return not self.errors and not self.differences


def _apply(root: StagedRoot) -> dict:
    root.apply()
    return root.outputs()


def _deploy(stack: ExitStack, emulator, variables: dict[str, dict]) -> tuple[dict[str, StagedRoot], dict[str, dict]]:
    """Apply every example (destroyed when `stack` closes, whatever happens) and return the outputs."""
    override = emulator.provider_override({"parent": "parent", "child": "child"})
    roots = {}
    for example, values in variables.items():
        roots[example] = stack.enter_context(StagedRoot.example(example, override=override))
        roots[example].set_vars(values)
    for root in roots.values():  # one at a time: Terraform's plugin cache is not safe for concurrent use
        root.init()
    with ThreadPoolExecutor(len(roots)) as pool:
        futures = {example: pool.submit(_apply, root) for example, root in roots.items()}
        return roots, {example: future.result() for example, future in futures.items()}


def _read_intent(root: StagedRoot, parent_role_arn: str, proof: Proof) -> tuple[ParentIntent, list[str]]:
    """The parent role's intent and the grant its invokers' execution roles get, from the module inputs."""
    inputs = module_inputs(root.dir, {"parent": (PARENT_MODULE, None),
                                      "child": (CHILD_MODULE, {"create", "attach_assume_grant"})}, env=root.tf.env)
    set_by_root = arguments_set(root.dir, "parent")
    left_at_default = sorted(v.name for v in read_variables(PARENT_MODULE)
                             if v.name not in DECIDING_INPUTS | NAMING_INPUTS | set_by_root)
    if left_at_default:
        proof.notes.append(f"parent inputs without a rule here, left at their defaults: {', '.join(left_at_default)}")
    child = inputs["child"]
    grants = [parent_role_arn] if child["create"] and child["attach_assume_grant"] else []
    return ParentIntent.from_inputs(parent_role_arn, inputs["parent"], set_by_root), grants


def _populate(universe: Universe, prefix: str, outputs: dict[str, dict], grants: dict[str, list[str]]) -> None:
    """Every caller of the matrix: the examples' invokers, and what else a real account has."""
    two, multi = outputs["two-accounts"], outputs["multi-child"]
    parent_roles = sorted(grants)
    universe.add_execution_role("two-accounts invoker exec role", two["execution_role_arn"],
                                grants[two["parent_role_arn"]], f"{prefix}probe-a")
    for child, role_arn in sorted(multi["execution_role_arns"].items()):
        universe.add_execution_role(f"multi-child {child} exec role", role_arn, grants[multi["parent_role_arn"]],
                                    f"{prefix}probe-{child}")
    universe.add_role("child", "child role with grant", f"{prefix}child-granted", parent_roles)
    universe.add_role("child", "child role without grant", f"{prefix}child-ungranted", [])
    # Named like the two-accounts invoker's execution role plus a suffix: ArnLike on the
    # exact pattern must not admit it.
    universe.add_role("child", "child look-alike role with grant", two["execution_role_arn"].split("/")[-1] + "-v2", parent_roles)
    universe.add_user("child", "child user with grant", f"{prefix}child-user-granted", parent_roles)
    universe.add_user("child", "child user without grant", f"{prefix}child-user-ungranted", [])
    universe.add_role("outsider", "outsider role with grant", f"{prefix}outsider-granted", parent_roles)
    for account in ("child", "outsider", "parent"):
        universe.add_admin(account)


def _supported_actions(emulator, endpoint: str, proof: Proof) -> list[str]:
    """ACTIONS, less those the emulator cannot take a request for (it cannot be asked then)."""
    runtime = emulator.client("sagemaker-runtime", "parent", retries={"max_attempts": 1})
    try:
        runtime.invoke_endpoint_async(EndpointName=endpoint, InputLocation=probe.ASYNC_INPUT)
    except ClientError as error:
        # It comes as an XML body on a JSON service: botocore reports code "403" and the XML as the message.
        answer = error.response["Error"]
        if answer["Code"] == "SignatureDoesNotMatch" or "<Code>SignatureDoesNotMatch</Code>" in answer.get("Message", ""):
            proof.notes.append("sagemaker:InvokeEndpointAsync left out: the emulator answers SignatureDoesNotMatch "
                               "to its body-less request, even from the parent account's administrator")
            return [a for a in ACTIONS if a != "sagemaker:InvokeEndpointAsync"]
    return list(ACTIONS)


def prove(emulator, prefix: str, runtime: str, model_image: str | None = None, tags: dict | None = None,
          progress=print, before_teardown=None) -> Proof:
    """Deploy, try every case, compare; everything is torn down before this returns.

    `before_teardown(universe, proof, cases, endpoint_names)`, if given, runs while everything
    still exists (a test seeds a mistake in the deployment there).
    """
    started = time.monotonic()
    proof = Proof()
    parent_id = emulator.accounts["parent"].id
    model_image = model_image or f"{parent_id}.dkr.ecr.{emulator.region}.amazonaws.com/echo:1"
    with ExitStack() as stack:
        progress(f"applying two-accounts and multi-child (parent {parent_id}, child {emulator.accounts['child'].id}, "
                 f"outsider {emulator.accounts['outsider'].id})")
        roots, outputs = _deploy(stack, emulator, example_variables(prefix, model_image, runtime, tags or {}))
        progress("reading the parent module's inputs as Terraform evaluated them")
        with ThreadPoolExecutor(len(roots)) as pool:
            read = {ex: pool.submit(_read_intent, roots[ex], out["parent_role_arn"], proof) for ex, out in outputs.items()}
            intents, grants = [], {}
            for example, future in read.items():
                intent, grants[intent.role_arn] = future.result()
                intents.append(intent)
                proof.roles[intent.role_arn] = example

        progress("adding the other principals and an endpoint no input names")
        universe = stack.enter_context(Universe(emulator, prefix))
        _populate(universe, prefix, outputs, grants)
        unlisted = universe.add_unlisted_endpoint(f"{prefix}unlisted")
        progress("checking which invoke actions the emulator can take, and that every principal is a caller")
        proof.actions = _supported_actions(emulator, unlisted, proof)
        names = sorted(e["EndpointName"] for e in emulator.client("sagemaker", "parent").list_endpoints()["Endpoints"]
                       if e["EndpointName"].startswith(prefix))
        proof.endpoints = {n: f"arn:aws:sagemaker:{emulator.region}:{parent_id}:endpoint/{n.lower()}" for n in names}
        not_callers = {arn: "a parent role: the target of the matrix" for arn in proof.roles} | _service_roles(universe, prefix)
        proof.errors += [f"{arn} exists but is not a caller of the matrix" for arn in universe.uncovered(not_callers)]

        proof.external_id_cases = {i.role_arn: {"right": i.external_ids[0] if i.external_ids else "reachability-any-external-id",
                                                "wrong": WRONG_EXTERNAL_ID, "none": None} for i in intents}
        proof.callers, proof.intents, proof.region = [c.principal for c in universe.callers], intents, emulator.region
        proof.intended = proof.outcomes_for(intents)

        progress(f"trying {len(universe.callers)} callers x {len(intents)} parent roles x 3 external-ID cases, "
                 f"then {len(names)} endpoints x {len(proof.actions)} actions with each session")
        cases = [{"role_arn": arn, "case": case, "external_id": value}
                 for arn, by_case in proof.external_id_cases.items() for case, value in by_case.items()]
        with ThreadPoolExecutor(PARALLEL_CALLERS) as pool:  # callers are independent; records keep their order
            answers = list(pool.map(lambda caller: caller.run(cases, names, proof.actions), universe.callers))
        for caller, records in zip(universe.callers, answers):
            proof.records += [{"principal": caller.principal.label, **r} for r in records]
            record_outcomes(proof, caller.principal.label, records, cases)
        proof.calls = len(proof.records)
        if before_teardown is not None:
            before_teardown(universe, proof, cases, names)
        progress("tearing down")
    proof.seconds = time.monotonic() - started
    return proof


def _service_roles(universe: Universe, prefix: str) -> dict[str, str]:
    """Roles of the run that only an AWS service may assume: no caller of the universe can act as them."""
    found = {}
    for account in universe.emulator.accounts:
        for role in universe.client("iam", account).list_roles()["Roles"]:
            document = role["AssumeRolePolicyDocument"]
            document = json.loads(document) if isinstance(document, str) else document
            services = [s.get("Principal", {}).get("Service") for s in document.get("Statement", [])]
            if role["RoleName"].startswith(prefix) and services and all(services) and all("lambda" not in str(s) for s in services):
                found[role["Arn"]] = f"trusts only {services}: a service's role, not a caller"
    return found


def record_outcomes(proof: Proof, principal: str, records: list[dict], cases: list[dict]) -> None:
    """Enter one caller's probe records in `proof.actual` (invokes after a denied AssumeRole count as denied)."""
    arn_of = proof.endpoints
    for record in records:
        call = record["call"]
        if call != "sts:AssumeRole":
            action, name = call.split(" ", 1)
            call = f"{action} {arn_of[name]}"
        case = Case(principal, record["role_arn"], record["case"], call)
        proof.actual[case] = record["allowed"]
        proof.tried.add(case)
        if record["allowed"] is None:
            proof.errors.append(f"{principal} -> {record['role_arn']} ({record['case']}) {call}: {record['error']}")
    for case in cases:  # no session, so no invoke was tried: each counts as denied
        if proof.actual.get(Case(principal, case["role_arn"], case["case"], "sts:AssumeRole")) is False:
            for arn in arn_of.values():
                for action in proof.actions:
                    proof.actual.setdefault(Case(principal, case["role_arn"], case["case"], f"{action} {arn}"), False)


def report(proof: Proof) -> str:
    lines = [render(proof, proof.actions), ""]
    lines += [f"note: {note}" for note in dict.fromkeys(proof.notes)]  # both roots may note the same
    assumes = sum(1 for r in proof.records if r["call"] == "sts:AssumeRole")
    lines.append(f"matrix: {len(proof.intended)} cases ({len(proof.principals)} callers x {len(proof.roles)} parent roles "
                 f"x 3 external-ID cases x (AssumeRole + {len(proof.endpoints)} endpoints x {len(proof.actions)} actions)); "
                 f"intended allowed: {sum(proof.intended.values())}")
    lines.append(f"calls tried: {proof.calls} ({assumes} AssumeRole, {proof.calls - assumes} invokes) in {proof.seconds:.1f} s")
    for problem in proof.errors + proof.differences:
        lines.append(f"DIFFERENCE: {problem}")
    lines.append("reachability holds: what succeeded is exactly what the inputs intend" if proof.holds
                 else f"reachability FAILS: {len(proof.errors) + len(proof.differences)} differences")
    return "\n".join(lines)


def main() -> int:
    from tftest import TerraformTestError

    from xacct.emulator.client import EmulatorProcess, EmulatorStartError

    started = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    try:
        with EmulatorProcess() as emulator:
            progress(f"emulator at {emulator.endpoint_url}")
            proof = prove(emulator, f"r{uuid.uuid4().hex[:6]}-", OFFLINE_RUNTIME, progress=progress)
    except KeyboardInterrupt:
        progress("interrupted: everything created was destroyed and the emulator stopped")
        return 130
    except (EmulatorStartError, LeftoverResources, TerraformTestError, ModuleInputsError, UnmodelledInput) as error:
        print(f"reachability could not run (everything it created was torn down): {error}", file=sys.stderr)
        return 2
    print(report(proof), flush=True)
    return 0 if proof.holds else 1


if __name__ == "__main__":
    sys.exit(main())
