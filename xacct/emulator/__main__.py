"""`python -m xacct.emulator`: run the AWS emulator in the foreground."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path

from xacct.emulator.credentials import SEED_ENV, SEED_FILE, AccountSpecError, parse_account
from xacct.emulator.server import DEFAULT_ACCOUNTS, Emulator
from xacct.emulator.state import ENDPOINT_ARN_CASES
from xacct.provider_override import SERVICES

# The services the startup banner tells a Terraform provider block to point here: the same
# list `xacct-terraform` and the tests write into their overrides.
TERRAFORM_ENDPOINTS = SERVICES


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m xacct.emulator", description="Multi-account AWS emulator on loopback.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", "0")),
                        help="TCP port on 127.0.0.1 (default: EMULATOR_PORT or a free one)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    defaults = " ".join(f"{name}={account_id}" for name, account_id in DEFAULT_ACCOUNTS.items())
    parser.add_argument("--account", action="append", metavar="NAME=ID[:ACCESS_KEY_ID:SECRET]", default=None,
                        help=f"an account to emulate, repeatable (default: {defaults}). Its administrator keys are "
                             f"derived from the ID and a secret seed ({SEED_ENV}, else a per-user file "
                             f"created once), so they stay the same across restarts; or give them")
    parser.add_argument("--endpoint-arn-case", choices=ENDPOINT_ARN_CASES, default="lower",
                        help="how SageMaker endpoint ARNs hold the endpoint's name, both in answers and in "
                             "IAM decisions (default: lower, as AWS's AccessDenied messages show)")
    parser.add_argument("--iam-propagation-seconds", type=float, default=0, metavar="N",
                        help="IAM changes (roles, trust and identity policies, grants) take effect on "
                             "authorization decisions N seconds after they are made, as IAM's eventual "
                             "consistency can delay them; IAM's own API shows them at once (default: 0, off)")
    parser.add_argument("--info-file", type=Path,
                        help="write the connection details (keys, control token) here as JSON, mode 0600, once "
                             "serving; removed on exit (default: a file in a new private temporary folder)")
    parser.add_argument("--quiet", action="store_true", help="print nothing; read the info file instead")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started it is gone (so a killed test run leaves nothing behind)")
    return parser.parse_args(argv)


def usage_text(info, info_file: Path) -> str:
    url, region = info.endpoint_url, info.region
    lines = [f"Emulator serving on {url} (region {region}); endpoint ARNs hold names in {info.endpoint_arn_case} case.", ""]
    for name, account in info.accounts.items():
        lines += [
            f"# {name} account {account.id}: for boto3 and the AWS CLI (Terraform: keys and region; endpoints below)",
            f"unset AWS_PROFILE AWS_SESSION_TOKEN; export AWS_ACCESS_KEY_ID={account.access_key_id} "
            f"AWS_SECRET_ACCESS_KEY={account.secret_access_key} AWS_DEFAULT_REGION={region} AWS_REGION={region} "
            f"AWS_ENDPOINT_URL={url}",
        ]
    endpoints = "  ".join(f'{service} = "{url}"' for service in TERRAFORM_ENDPOINTS)
    lines += [
        "",
        "Terraform: in the provider block set access_key, secret_key and region as above (or export them) and",
        f"endpoints {{ {endpoints} }}",
        f"Connection details (keys, control token): {info_file} (mode 0600, removed on exit)",
        f"Control API: {url}/_emulator/journal, /invocations, /faults, /organizations, /iam-propagation with "
        f"'Authorization: Bearer {info.control_token}'",
        "Functions deployed here run as your local user, with your user's file access.",
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)


def write_private(path: Path, text: str) -> None:
    """Write `path` readable by its owner only, replacing it whole (readers never see half a file)."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    partial.replace(path)


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        if os.getppid() != parent_pid:
            stop.set()


def _fail(message: str) -> int:
    print(f"emulator: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        accounts = [parse_account(text) for text in args.account] if args.account else None
        emulator = Emulator(port=args.port, region=args.region, accounts=accounts,
                            endpoint_arn_case=args.endpoint_arn_case,
                            iam_propagation_seconds=args.iam_propagation_seconds)
        info = emulator.start()
    except (AccountSpecError, ValueError) as error:
        return _fail(str(error))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return _fail(f"port {args.port} on 127.0.0.1 is already in use; pick another with --port or EMULATOR_PORT")
        if error.errno == errno.EACCES:
            return _fail(f"not allowed to listen on port {args.port} on 127.0.0.1 ({error.strerror}); pick another with --port")
        if error.filename and Path(error.filename) == SEED_FILE:
            return _fail(f"cannot read or create the key seed file {SEED_FILE}: {error.strerror}; set {SEED_ENV} instead")
        raise
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), stop), daemon=True).start()
    private_dir = None if args.info_file else Path(tempfile.mkdtemp(prefix="xacct-emulator-"))  # mode 0700
    info_file = args.info_file or private_dir / "info.json"
    try:
        try:
            write_private(info_file, info.to_json())
        except OSError as error:
            return _fail(f"cannot write the info file {info_file}: {error.strerror}")
        if not args.quiet:
            print(usage_text(info, info_file), flush=True)
        stop.wait()
    finally:
        emulator.stop()
        info_file.unlink(missing_ok=True)
        if private_dir is not None:
            shutil.rmtree(private_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
