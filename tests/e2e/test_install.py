"""`pip install` of the repository gives working console scripts, in a fresh virtualenv.

The virtualenv is made by the test without system site packages; the project is built
and installed from a copy of what a clone holds (as `pip install "git+<repository URL>"`
does). Its dependencies are lent from the running environment through a `.pth` file, so
the test needs no download beyond the build backend; the scripts then run for real.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
import venv
from pathlib import Path

import pytest

from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e

SCRIPTS = {"xacct-emulator": "xacct.emulator.__main__:main", "xacct-terraform": "xacct.tfemu:main"}


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home)
    python = home / "bin" / "python"
    # What a clone holds for the build (so the build leaves nothing in this checkout).
    source = tmp_path_factory.mktemp("source")
    for package in ("xacct", "model"):  # model: the echo endpoint runs the echo model's code
        shutil.copytree(PROJECT_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr
    assert "License classifiers are deprecated" not in installed.stderr
    assert "`project.license` as a TOML table is deprecated" not in installed.stderr
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "lent-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return home


def test_the_entry_points_name_the_right_functions(fresh_venv):
    code = ("import json; from importlib.metadata import entry_points; "
            "print(json.dumps({e.name: e.value for e in entry_points(group='console_scripts') if e.name.startswith('xacct-')}))")
    # Run outside the checkout: `python -c` puts the working directory first on sys.path, where a
    # stale *.egg-info left by an old build would shadow the installed distribution's metadata.
    found = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True,
                           cwd=fresh_venv)
    assert json.loads(found.stdout) == SCRIPTS
    for name in SCRIPTS:
        assert (fresh_venv / "bin" / name).exists()


@pytest.mark.parametrize("module", ["xacct.tfemu", "model.echo.echo"])  # the echo endpoint runs the model's code
def test_the_installed_package_is_not_the_checkout(fresh_venv, module):
    where = subprocess.run([str(fresh_venv / "bin" / "python"), "-c", f"import {module}; print({module}.__file__)"],
                           capture_output=True, text=True, check=True, cwd=fresh_venv)
    assert str(fresh_venv) in where.stdout and str(PROJECT_ROOT) not in where.stdout


def test_the_emulator_script_starts_serves_and_stops(fresh_venv, tmp_path):
    info = tmp_path / "info.json"
    emulator = subprocess.Popen([str(fresh_venv / "bin" / "xacct-emulator"), "--info-file", str(info), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if info.exists() or emulator.poll() is not None:
                break
            subprocess.run(["sleep", "0.1"])
        assert info.exists(), "the emulator did not write its info file"
        exports = subprocess.run([str(fresh_venv / "bin" / "xacct-terraform"), "--info-file", str(info),
                                  "--exports", "child"], capture_output=True, text=True)
        assert exports.returncode == 0, exports.stderr
        assert "export AWS_DEFAULT_REGION=us-east-1" in exports.stdout
        assert json.loads(info.read_text())["accounts"]["child"]["id"] == "222222222222"
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


def test_the_wrapper_script_refuses_without_an_emulator(fresh_venv, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    refused = subprocess.run([str(fresh_venv / "bin" / "xacct-terraform"), "plan"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert refused.returncode == 2
    assert "xacct-terraform: no emulator to run against" in refused.stderr
