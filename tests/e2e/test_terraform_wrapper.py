"""`xacct-terraform` on a root written outside the project: two aliased providers that assume
deployment roles, modules taken by git source from a clone of this repository, no override
written by hand. It plans, applies, is invoked with boto3 and the AWS CLI, and is destroyed;
the root's own files are the same bytes afterwards, and the override never outlives a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from tests.conftest import DEMO_MODEL_IMAGE, TEST_RUNTIME
from tests.e2e.helpers import leftovers, run_wrapper, wrapper_command, write_info_file
from xacct import provider_override
from xacct.paths import PROJECT_ROOT, TESTS_DIR

pytestmark = pytest.mark.e2e

OUTSIDE_ROOT = TESTS_DIR / "fixtures" / "outside_root"
OVERRIDE = provider_override.FILE_NAME
EXTERNAL_ID = "ext-outside-root-1"


def _digests(root: Path) -> dict[str, str]:
    """The root's own files (not Terraform's working files), by content."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.iterdir())
            if p.is_file() and not p.name.startswith((".terraform", "terraform.tfstate"))}


@pytest.fixture(scope="module")
def info_file(target, tmp_path_factory) -> Path:
    return write_info_file(target, tmp_path_factory.mktemp("emulator") / "info.json")


@pytest.fixture(scope="module")
def outside_root(tmp_path_factory) -> Path:
    """The fixture root copied beside a git clone of this repository, its module sources
    pointing at the clone, as another repository would take the modules."""
    if not (PROJECT_ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs git and a git checkout of the project to take the modules by git source")
    base = tmp_path_factory.mktemp("outside")
    clone = base / "repository"
    subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(clone)], check=True)
    root = base / "root"
    root.mkdir()
    for source in OUTSIDE_ROOT.glob("*.tf"):
        (root / source.name).write_text(source.read_text().replace("GIT_REPOSITORY", f"file://{clone}"))
    return root


def test_an_outside_root_plans_applies_invokes_and_destroys(target, info_file, outside_root, run_prefix, tmp_path):
    prefix = f"{run_prefix}w-"
    variables = tmp_path / "run.tfvars.json"  # outside the root: the root stays as written
    variables.write_text(json.dumps({"name_prefix": prefix, "external_id": EXTERNAL_ID,
                                     "model_image": DEMO_MODEL_IMAGE, "lambda_runtime": TEST_RUNTIME}))
    var_file = f"-var-file={variables}"
    as_written = _digests(outside_root)

    run_wrapper(outside_root, info_file, "init", "-input=false", "-no-color")
    assert (outside_root / ".terraform" / "modules" / "parent").is_dir()  # fetched by git
    try:
        plan = run_wrapper(outside_root, info_file, "plan", "-input=false", "-no-color", var_file)
        assert re.search(r"module\.parent\.aws_iam_role\.this(\[0\])? will be created", plan.stdout), plan.stdout
        assert re.search(r"module\.child\.aws_lambda_function\.this(\[0\])? will be created", plan.stdout), plan.stdout
        run_wrapper(outside_root, info_file, "apply", "-auto-approve", "-input=false", "-no-color", var_file)
        assert not (outside_root / OVERRIDE).exists()
        outputs = json.loads(run_wrapper(outside_root, info_file, "output", "-json").stdout)
        function_name = outputs["function_name"]["value"]
        assert outputs["role_arn"]["value"].startswith(f"arn:aws:iam::{target.accounts['parent'].id}:role/")

        # Each alias acted in the account its role ARN names: the function in the consumer's.
        assert target.client("lambda", "child").get_function(FunctionName=function_name)
        event = {"endpoint": f"{prefix}scoring", "body": {"instances": [[1.0, 2.0]]}}
        answer = target.client("lambda", "child").invoke(FunctionName=function_name, Payload=json.dumps(event))
        result = json.loads(answer["Payload"].read())
        assert result["statusCode"] == 200, result
        assert json.loads(result["body"]) == event["body"]  # the endpoint echoes

        _invoke_with_the_aws_cli(target, function_name, event, tmp_path)

        replan = run_wrapper(outside_root, info_file, "plan", "-input=false", "-no-color", "-detailed-exitcode",
                             var_file, check=False)
        assert replan.returncode == 0, f"changes after apply:\n{replan.stdout}\n{replan.stderr}"
    finally:
        run_wrapper(outside_root, info_file, "destroy", "-auto-approve", "-input=false", "-no-color", var_file)
    assert not leftovers(target, prefix)
    assert _digests(outside_root) == as_written
    assert not (outside_root / OVERRIDE).exists()


def _invoke_with_the_aws_cli(target, function_name: str, event: dict, tmp_path: Path) -> None:
    """The AWS CLI v1 (the one PyPI installs) sends --payload as raw text, which v2 does only
    with --cli-binary-format raw-in-base64-out; a file:// payload is read the same by both."""
    cli = shutil.which("aws") or shutil.which("aws", path=str(Path(sys.executable).parent))
    if cli is None:
        warnings.warn("AWS CLI part skipped: no `aws` command on PATH (pip install awscli)")
        return
    child = target.accounts["child"]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": child.access_key_id, "AWS_SECRET_ACCESS_KEY": child.secret_access_key,
           "AWS_DEFAULT_REGION": target.region, "AWS_ENDPOINT_URL": target.endpoint_url}
    env.pop("AWS_PROFILE", None)
    (tmp_path / "event.json").write_text(json.dumps(event))
    result = subprocess.run([cli, "lambda", "invoke", "--function-name", function_name,
                             "--payload", f"file://{tmp_path / 'event.json'}", str(tmp_path / "out.json")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["StatusCode"] == 200
    answer = json.loads((tmp_path / "out.json").read_text())
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == event["body"], answer


# --- the override never outlives a run ---------------------------------------------------------

def _small_root(path: Path) -> Path:
    path.mkdir()
    (path / "main.tf").write_text(
        'provider "aws" {\n  alias = "ops"\n}\n\n'
        'variable "required" {\n  type = string\n}\n\n'
        'data "aws_caller_identity" "ops" {\n  provider = aws.ops\n}\n\n'
        'output "account" {\n  value = "${data.aws_caller_identity.ops.account_id}-${var.required}"\n}\n')
    return path


def test_the_override_is_removed_after_a_failed_command(target, info_file, tmp_path):
    root = _small_root(tmp_path / "root")
    run_wrapper(root, info_file, "--account", "ops=child", "init", "-input=false", "-no-color")
    failed = run_wrapper(root, info_file, "--account", "ops=child", "plan", "-input=false", "-no-color", check=False)
    assert failed.returncode == 1 and 'No value for required variable' in failed.stderr, failed.stderr
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".terraform")) == ["main.tf"]


def test_the_providers_act_in_the_mapped_account(target, info_file, tmp_path):
    root = _small_root(tmp_path / "root")
    run_wrapper(root, info_file, "--account", "ops=parent", "init", "-input=false", "-no-color")
    run_wrapper(root, info_file, "--account", "ops=parent", "apply", "-auto-approve", "-input=false",
                "-no-color", "-var", "required=x")
    shown = run_wrapper(root, info_file, "--account", "ops=parent", "output", "-raw", "account")
    assert shown.stdout == f"{target.accounts['parent'].id}-x"


def test_the_override_is_removed_after_ctrl_c(target, info_file, tmp_path):
    """Interrupted the way a terminal does it: SIGINT to the wrapper's process group."""
    root = _small_root(tmp_path / "root")
    run_wrapper(root, info_file, "--account", "ops=child", "init", "-input=false", "-no-color")
    env = {**os.environ, "XACCT_EMULATOR_INFO": str(info_file)}
    # `terraform console` waits on its input: a command still running when the signal comes.
    running = subprocess.Popen([*wrapper_command(), "--account", "ops=child", "console"], cwd=root, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (root / OVERRIDE).exists():
            assert running.poll() is None and time.monotonic() < deadline, running.communicate()
            time.sleep(0.1)
        time.sleep(1)  # Terraform is up and reading
        os.killpg(running.pid, signal.SIGINT)
        running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
    assert not (root / OVERRIDE).exists()
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".terraform")) == ["main.tf"]
