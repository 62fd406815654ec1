"""checkov on the modules, the example and the example's plan: no failed check, and every
inline skip carries a reason and is listed in the README's Security section.

checkov lives in its own virtual environment (`.venv-checkov`, it pins its own boto3);
`make checkov` and `make test` create it. Each target is scanned once per module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from xacct.emulator.client import EmulatorProcess
from xacct.staging import StagedRoot
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.checkov

CHECKOV = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
CHECKOV_TIMEOUT_SECONDS = 300
SCANNED_DIRS = ("modules", "examples", "tests/e2e/roots")
README = PROJECT_ROOT / "README.md"

EXAMPLE = "two-accounts"
EXAMPLE_DIR = PROJECT_ROOT / "examples" / EXAMPLE
EXAMPLE_VARS = {
    "external_id": "ext-123456",
    "create_demo_endpoint": True,
    "demo_model_image": "111111111111.dkr.ecr.us-east-1.amazonaws.com/echo:1",
    # The offline provider (hashicorp/aws 3.39) refuses newer runtimes.
    "lambda_runtime": "python3.8",
    "name_prefix": "ck-",
}
# Resources the example's plan must hold, so an empty or broken plan cannot pass.
EXAMPLE_PLAN_RESOURCES = {
    "module.parent.aws_iam_role.this[0]",
    "module.parent.aws_iam_policy.invoke[0]",
    "module.child.aws_iam_role.this[0]",
    "module.child.aws_lambda_function.this[0]",
    "module.child.aws_cloudwatch_log_group.this[0]",
    "module.child.module.assume_grant.aws_iam_role_policy.assume_parent[0]",
    "module.demo_endpoint[0].aws_sagemaker_endpoint_configuration.this",
}
# Skipped on the plan only, from the command line, because the finding comes from the
# test harness and not from the example: the emulator's generated provider override holds
# the emulator's fake access keys in plain text. The example's own provider blocks are
# held to the check by the static scan (test_example_providers_hold_no_keys).
PLAN_ONLY_SKIPS = ("CKV_AWS_41",)

# checkov's own comment syntax: one or more comma-separated IDs, then an optional :reason.
SKIP_COMMENT = re.compile(r"(?:checkov|bridgecrew|cortex):skip=\s*([A-Za-z0-9_,-]*)(?::(.*))?")


@dataclass(frozen=True)
class Skip:
    check_id: str
    reason: str
    where: str  # file:line, relative to the project


def tf_files() -> list[Path]:
    return sorted(p for d in SCANNED_DIRS for p in (PROJECT_ROOT / d).rglob("*.tf") if ".terraform" not in p.parts)


def inline_skips() -> list[Skip]:
    skips = []
    for path in tf_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            match = SKIP_COMMENT.search(line)
            if match:
                where = f"{path.relative_to(PROJECT_ROOT)}:{number}"
                ids = [i.strip() for i in match.group(1).split(",") if i.strip()] or ["<no check ID>"]
                skips += [Skip(check_id, (match.group(2) or "").strip(), where) for check_id in ids]
    return skips


# --- running checkov -----------------------------------------------------------------------

def require_checkov() -> None:
    if not CHECKOV.exists():
        pytest.fail(f"checkov is not installed at {CHECKOV}: run `make checkov` "
                    "(or `make test`), which creates .venv-checkov before running pytest", pytrace=False)


def run_checkov(*args: str) -> dict:
    """Run checkov offline with JSON output and return its one report (check_type, results, summary)."""
    require_checkov()
    # checkov's own interpreter and packages only: nothing of the project's environment leaks in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    command = [str(CHECKOV), *args, "--skip-download", "--output", "json", "--compact"]
    try:
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                                timeout=CHECKOV_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"checkov took longer than {CHECKOV_TIMEOUT_SECONDS} s: {' '.join(command)}", pytrace=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON (exit {result.returncode}): {' '.join(command)}\n"
                    f"stdout:\n{result.stdout[-2000:]}\nstderr:\n{result.stderr[-2000:]}", pytrace=False)
    if isinstance(report, list):  # one report per framework; each run here asks for one
        assert len(report) == 1, f"expected one checkov report, got {[r.get('check_type') for r in report]}"
        report = report[0]
    if "summary" not in report:  # nothing scanned: checkov prints only the summary
        report = {"check_type": None, "results": {}, "summary": report}
    report["stderr"] = result.stderr
    return report


def describe_failures(report: dict) -> str:
    lines = []
    for check in report["results"].get("failed_checks", []):
        lines.append(f"  {check['check_id']} {check['resource']} ({check.get('file_path')}:"
                     f"{'-'.join(map(str, check.get('file_line_range') or []))}) {check.get('check_name')}")
    return "\n".join(lines)


def assert_clean(report: dict, what: str) -> None:
    summary = report["summary"]
    assert summary.get("parsing_errors", 0) == 0, (
        f"checkov could not parse {what}: {report['results'].get('parsing_errors')}\n{report['stderr'][-2000:]}")
    assert summary.get("resource_count", 0) > 0, f"checkov found no resources in {what}\n{report['stderr'][-2000:]}"
    assert summary["failed"] == 0, (
        f"checkov: {summary['failed']} failed check(s) in {what}. Harden the resource, or add "
        f"`#checkov:skip=CKV_...:<reason>` inside it and list it in README.md's Security section:\n"
        f"{describe_failures(report)}")


def checks(report: dict, kind: str) -> set[tuple[str, str]]:
    return {(c["check_id"], c["resource"]) for c in report["results"].get(kind, [])}


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def static_reports() -> dict[str, dict]:
    return {d: run_checkov("--directory", str(PROJECT_ROOT / d), "--framework", "terraform",
                           "--download-external-modules", "false")
            for d in SCANNED_DIRS}


@pytest.fixture(scope="module")
def plan_report(tmp_path_factory) -> dict:
    require_checkov()  # before spending an emulator start and a plan
    plan_json = tmp_path_factory.mktemp("checkov-plan") / "plan.json"
    with EmulatorProcess() as emu:
        override = emu.provider_override({"parent": "parent", "child": "child"})
        with StagedRoot.example(EXAMPLE, override=override) as root:
            root.set_vars(EXAMPLE_VARS)
            root.init()
            root.tf.execute_command("plan", "-input=false", "-out=plan.out")
            plan_json.write_text(root.tf.execute_command("show", "-json", "plan.out").out)
    # The enrichment root gives the plan's resources their .tf source, so inline skips apply.
    return run_checkov("--file", str(plan_json), "--framework", "terraform_plan",
                       "--repo-root-for-plan-enrichment", str(EXAMPLE_DIR),
                       "--download-external-modules", "false",
                       "--skip-check", ",".join(PLAN_ONLY_SKIPS))


# --- tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("directory", SCANNED_DIRS)
def test_no_failed_checks(static_reports, directory):
    assert_clean(static_reports[directory], f"{directory}/")


def test_example_providers_hold_no_keys(static_reports):
    """The plan scan skips CKV_AWS_41 (the emulator's keys); the example's providers must pass it."""
    passed = checks(static_reports["examples"], "passed_checks")
    for provider in ("aws.parent", "aws.child"):
        assert ("CKV_AWS_41", provider) in passed, f"CKV_AWS_41 did not pass for the example's provider {provider}"


def test_no_failed_checks_in_example_plan(plan_report):
    assert_clean(plan_report, f"the plan of examples/{EXAMPLE}")
    seen = {resource for kind in ("passed_checks", "skipped_checks", "failed_checks")
            for _, resource in checks(plan_report, kind)}
    missing = EXAMPLE_PLAN_RESOURCES - seen
    assert not missing, f"the plan scan did not cover {sorted(missing)}; scanned: {sorted(seen)}"
    # Only inline skips of the .tf files (and the plan-only ones) may hide a finding.
    allowed = {s.check_id for s in inline_skips()}
    unexplained = {(i, r) for i, r in checks(plan_report, "skipped_checks") if i not in allowed}
    assert not unexplained, f"skipped in the plan without an inline skip in the .tf files: {sorted(unexplained)}"


def test_every_skip_has_a_reason():
    skips = inline_skips()
    assert skips, "no #checkov:skip comments found; the collector is probably broken"
    bad_ids = [s for s in skips if not re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", s.check_id)]
    assert not bad_ids, "skips that name no checkov check ID:\n" + "\n".join(f"  {s.where}: {s.check_id}" for s in bad_ids)
    unexplained = [s for s in skips if not s.reason]
    assert not unexplained, ("skips without a reason (write `#checkov:skip=CKV_...:<why>`):\n"
                             + "\n".join(f"  {s.where}: {s.check_id}" for s in unexplained))


def security_section(text: str) -> str | None:
    """The body of the README's `## Security` section, up to the next level-2 heading."""
    match = re.search(r"^##[ \t]+Security\b[^\n]*\n(.*?)(?=^##[ \t]|\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(1) if match else None


def test_readme_lists_every_skip():
    assert README.exists(), "README.md is missing; its ## Security section must list every checkov skip"
    section = security_section(README.read_text())
    assert section is not None, "README.md has no `## Security` section listing the checkov skips"
    rows = [line for line in section.splitlines() if line.lstrip().startswith("|")]
    missing = sorted({f"{s.check_id} ({s.where})" for s in inline_skips()
                      if not any(re.search(rf"(?<![\w]){re.escape(s.check_id)}(?![\w])", row) for row in rows)})
    assert not missing, ("checkov skips missing from the table in README.md's Security section:\n  "
                         + "\n  ".join(missing))
