"""Build the invoker Lambda's zip deterministically: the same source always gives the same bytes.

The zip is committed inside modules/child so the module works from a Git source without
Python or the archive provider; `python -m xacct.package --check` (run by the tests) fails
when it is not current with lambda_src/.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

from xacct.paths import PROJECT_ROOT

SOURCE_DIR = PROJECT_ROOT / "lambda_src"
PACKAGE_NAME = "sagemaker_invoker"
ZIP_PATH = PROJECT_ROOT / "modules" / "child" / "lambda" / f"{PACKAGE_NAME}.zip"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def source_files(source_dir: Path = SOURCE_DIR) -> list[Path]:
    """Only the handler package's Python files: the runtime already provides boto3."""
    return sorted(p for p in (source_dir / PACKAGE_NAME).rglob("*.py") if "__pycache__" not in p.parts)


def build_zip(source_dir: Path = SOURCE_DIR) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in source_files(source_dir):
            entry = zipfile.ZipInfo(path.relative_to(source_dir).as_posix(), date_time=FIXED_DATE)
            entry.external_attr = 0o100644 << 16  # regular file, rw-r--r--, whatever the checkout says
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xacct.package", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed zip is not current")
    args = parser.parse_args(argv)
    fresh = build_zip()
    relative = ZIP_PATH.relative_to(PROJECT_ROOT)
    if args.check:
        if not ZIP_PATH.exists() or ZIP_PATH.read_bytes() != fresh:
            print(f"{relative} is not current with lambda_src/: run `make package` and commit it", file=sys.stderr)
            return 1
        print(f"{relative} is current")
        return 0
    ZIP_PATH.parent.mkdir(parents=True, exist_ok=True)
    ZIP_PATH.write_bytes(fresh)
    print(f"wrote {relative}: {len(fresh)} bytes, sha256 {hashlib.sha256(fresh).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
