"""terraform fmt and validate for every module and example; the committed Lambda zip is current."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import tftest

from xacct import package
from xacct.toolchain import PROJECT_ROOT, guard_provider

pytestmark = pytest.mark.plan

ROOTS = sorted(str(p.parent.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("modules/*/versions.tf")) + \
        sorted(str(p.parent.relative_to(PROJECT_ROOT)) for p in PROJECT_ROOT.glob("examples/*/versions.tf"))


def test_terraform_fmt_is_clean():
    result = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", "modules", "examples"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"run `make fmt`:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("relative_dir", ROOTS)
def test_terraform_validate(relative_dir, tmp_path):
    # A copy of the whole tree keeps relative module sources working and the project clean.
    for top in ("modules", "examples"):
        shutil.copytree(PROJECT_ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
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
