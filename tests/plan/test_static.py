"""terraform fmt and validate for every module and example; the committed Lambda zip is current."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import tftest

from xacct import package, provider_floor
from xacct.paths import PROJECT_ROOT
from xacct.toolchain import guard_provider

pytestmark = pytest.mark.plan

ROOTS = sorted(str(p.parent.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("modules/*/versions.tf")) + \
        sorted(str(p.parent.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("examples/*/versions.tf"))


def project_tf_files(root: Path = PROJECT_ROOT) -> list[str]:
    """The project's own .tf files. Named one by one, because `terraform fmt` on a folder
    also checks any .tfvars a user keeps there (for example beside an example)."""
    files = [p for top in ("modules", "examples") for p in (root / top).rglob("*.tf")]
    return sorted(str(p.relative_to(root)) for p in files
                  if ".terraform" not in p.relative_to(root).parts and not p.name.endswith("_override.tf"))


def fmt_check(root: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["terraform", "fmt", "-check", "-diff", *targets], cwd=root, capture_output=True, text=True)


def test_terraform_fmt_is_clean():
    result = fmt_check(PROJECT_ROOT, *project_tf_files())
    assert result.returncode == 0, f"run `make fmt`:\n{result.stdout}{result.stderr}"


def test_fmt_check_ignores_a_users_tfvars_beside_an_example(tmp_path):
    for top in ("modules", "examples"):
        shutil.copytree(PROJECT_ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    (tmp_path / "examples" / "child-account" / "child.tfvars").write_text('region   = "us-east-1"\n')
    assert fmt_check(tmp_path, "-recursive", "modules", "examples").returncode != 0  # what walking the folders did
    assert "examples/child-account/main.tf" in project_tf_files(tmp_path)
    result = fmt_check(tmp_path, *project_tf_files(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("relative_dir", ROOTS)
def test_terraform_validate(relative_dir, tmp_path):
    # A copy of the whole tree keeps relative module sources working and the project clean.
    for top in ("modules", "examples"):
        shutil.copytree(PROJECT_ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    provider_floor.relax(tmp_path)  # offline, only hashicorp/aws 3.39.0 is at hand
    tf = tftest.TerraformTest(str(tmp_path / relative_dir))
    guard_provider(tmp_path / relative_dir)  # refuse a foreign provider; pin the verified one
    tf.setup(cleanup_on_exit=False, backend=False)
    result = tf.execute_command("validate", "-no-color")
    assert "Success!" in result.out, result.out + result.err


def test_committed_lambda_zip_is_current():
    assert package.ZIP_PATH.read_bytes() == package.build_zip(), "run `make package` and commit the zip"


def test_lambda_zip_is_deterministic_and_holds_only_the_handler_package():
    import io
    import zipfile

    first, second = package.build_zip(), package.build_zip()
    assert first == second
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert names and all(n.startswith("sagemaker_invoker/") and n.endswith(".py") for n in names)
