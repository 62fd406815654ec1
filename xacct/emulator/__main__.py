"""`python -m xacct.emulator`: run the two-account emulator in the foreground."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
from pathlib import Path

from xacct.emulator.server import DEFAULT_ACCOUNTS, Emulator


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m xacct.emulator", description="Two-account AWS emulator on loopback.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("EMULATOR_PORT", "0")),
                        help="TCP port on 127.0.0.1 (default: EMULATOR_PORT or a free one)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION", "us-east-1"))
    for name, default in DEFAULT_ACCOUNTS.items():
        parser.add_argument(f"--{name}-account", default=default, help=f"{name} account ID (default {default})")
    parser.add_argument("--info-file", type=Path, help="write the connection details here as JSON once serving")
    parser.add_argument("--quiet", action="store_true", help="print nothing; read the info file instead")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started it is gone (so a killed test run leaves nothing behind)")
    return parser.parse_args(argv)


def usage_text(info) -> str:
    lines = [f"Emulator serving on {info.endpoint_url} (region {info.region})", ""]
    for name, account in info.accounts.items():
        lines += [
            f"{name} account {account.id}:",
            f"  export AWS_ACCESS_KEY_ID={account.access_key_id} AWS_SECRET_ACCESS_KEY={account.secret_access_key}",
        ]
    lines += [
        "",
        "boto3 / aws CLI:  export AWS_ENDPOINT_URL=" + info.endpoint_url + " AWS_REGION=" + info.region,
        "Terraform (hashicorp/aws 3.39): in the provider block set access_key/secret_key as above and",
        "  endpoints { sts = \"URL\"  iam = \"URL\"  lambda = \"URL\"  sagemaker = \"URL\"  cloudwatchlogs = \"URL\"  ec2 = \"URL\" }",
        f"Control API: {info.endpoint_url}/_emulator/info, /journal, /invocations, /faults",
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    while not stop.wait(0.5):
        if os.getppid() != parent_pid:
            stop.set()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    accounts = {name: getattr(args, f"{name}_account") for name in DEFAULT_ACCOUNTS}
    emulator = Emulator(port=args.port, region=args.region, accounts=accounts)
    try:
        info = emulator.start()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"emulator: port {args.port} on 127.0.0.1 is already in use; pick another with --port or EMULATOR_PORT", file=sys.stderr)
            return 2
        raise
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_with_parent:
        threading.Thread(target=_watch_parent, args=(os.getppid(), stop), daemon=True).start()
    try:
        if args.info_file:
            partial = args.info_file.with_suffix(".partial")
            partial.write_text(info.to_json())
            partial.replace(args.info_file)  # readers never see half a file
        if not args.quiet:
            print(usage_text(info), flush=True)
        stop.wait()
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
