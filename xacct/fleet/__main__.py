"""`make bench-fleet`: a burst of cold containers and hours of refreshes, before and after.

Usage: python -m xacct.fleet [--containers 200] [--sts-rate 50] [--sagemaker-rate 40] [--hours 1.6]
       [--out build/fleet] [--update-docs]

Results go to --out (fleet.json, fleet.png); --update-docs also writes them to docs/bench/ and
the figures into README.md between the bench-fleet markers.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path

from xacct.bench import ENDPOINT, EVENT, EXEC_ROLE, apply_lambda_env, provision
from xacct.emulator.client import EmulatorProcess
from xacct.fleet import burst, containers, report, storm
from xacct.paths import PROJECT_ROOT

DOCS_DIR = PROJECT_ROOT / "docs" / "bench"
README = PROJECT_ROOT / "README.md"
MARKERS = ("<!-- bench-fleet:begin -->", "<!-- bench-fleet:end -->")
VARIANTS = ("before", "after")


def child_default(variable: str) -> int:
    """A number input's default in modules/child (the fleet runs with the module's defaults)."""
    text = (PROJECT_ROOT / "modules" / "child" / "variables.tf").read_text()
    match = re.search(r'variable "%s" \{.*?\n  default\s*=\s*(\d+)' % re.escape(variable), text, re.S)
    if match is None:
        raise SystemExit(f"modules/child/variables.tf has no numeric default for {variable}")
    return int(match.group(1))


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m xacct.fleet", description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=200)
    parser.add_argument("--sts-rate", type=float, default=50, help="AssumeRole per second for the child account")
    parser.add_argument("--sts-burst", type=int, default=50)
    parser.add_argument("--sagemaker-rate", type=float, default=40, help="InvokeEndpoint per second for the endpoint's account")
    parser.add_argument("--sagemaker-burst", type=int, default=20)
    parser.add_argument("--steady-rps", type=float, default=20, help="invocations per second across the fleet after the burst")
    parser.add_argument("--steady-seconds", type=float, default=10)
    parser.add_argument("--hours", type=float, default=1.6,
                        help="simulated hours of the refresh run: 1.6 holds two hourly refreshes (0 skips it)")
    parser.add_argument("--invoke-every", type=int, default=1800,
                        help="simulated seconds between whole invocations of a container in the refresh run")
    parser.add_argument("--retry-mode", choices=("standard", "adaptive"), default=None,
                        help="override the invoker's botocore retry mode (to compare modes)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="before,after or one of them")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "fleet")
    parser.add_argument("--update-docs", action="store_true", help="also write docs/bench/fleet.* and the README figures")
    args = parser.parse_args(argv)
    args.variants = [v for v in args.variants.split(",") if v]
    if not args.variants or set(args.variants) - set(VARIANTS):
        parser.error("--variants takes before, after or both")
    return args


def progress(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    timeout, duration = child_default("timeout"), child_default("session_duration_seconds")
    settings = {"containers": args.containers, "sts_rate_per_second": args.sts_rate, "sts_burst": args.sts_burst,
                "sagemaker_rate_per_second": args.sagemaker_rate, "sagemaker_burst": args.sagemaker_burst,
                "steady_rps": args.steady_rps, "steady_seconds": args.steady_seconds, "hours": args.hours,
                "invoke_every": args.invoke_every, "function_timeout_seconds": timeout,
                "session_duration_seconds": duration, "retry_mode": args.retry_mode or "the invoker's (standard)",
                "seed": args.seed}
    results = {"settings": settings, "burst": {}, "storm": {}}
    raw = {}
    with tempfile.TemporaryDirectory(prefix="fleet-") as scratch, EmulatorProcess() as emu:
        progress(started, f"emulator at {emu.endpoint_url}")
        env = provision(emu)
        apply_lambda_env({**env, "FUNCTION_TIMEOUT_SECONDS": str(timeout), "SESSION_DURATION_SECONDS": str(duration),
                          "LOG_LEVEL": "WARNING"}, Path(scratch))
        package_dir = containers.extract_package(Path(scratch) / "task")
        for variant in args.variants:
            emu.clear_journal()
            emu.set_throttle("child", "sts:AssumeRole", args.sts_rate, args.sts_burst)
            emu.set_throttle("parent", "sagemaker:InvokeEndpoint", args.sagemaker_rate, args.sagemaker_burst)
            progress(started, f"{variant}: burst of {args.containers} cold containers")
            result = burst.run(package_dir, EVENT, args.containers, args.steady_rps, args.steady_seconds, timeout,
                               args.seed, before=variant == "before", retry_mode=args.retry_mode)
            results["burst"][variant] = report.summarise_burst(result, emu.journal(), EXEC_ROLE)
            raw[variant] = {"burst": result, "storm": None}
            emu.clear_throttles()
        if args.hours > 0:
            # The storms only read the simulated clock: one process each, side by side on the two cores.
            progress(started, f"{' and '.join(args.variants)}: {args.hours:g} simulated hours of refreshes")
            with concurrent.futures.ProcessPoolExecutor(len(args.variants), mp_context=multiprocessing.get_context("fork")) as pool:
                storms = {variant: pool.submit(storm.run, package_dir, EVENT, args.containers, args.hours,
                                               args.invoke_every, variant == "after", args.seed, timeout)
                          for variant in args.variants}
                for variant, future in storms.items():
                    raw[variant]["storm"] = future.result()
                    results["storm"][variant] = report.summarise_storm(raw[variant]["storm"])
    results["runtime_seconds"] = round(time.monotonic() - started, 1)
    results["endpoint"] = ENDPOINT
    text = report.table(results)
    print(text)
    write(results, raw, args.out)
    if args.update_docs:
        write(results, raw, DOCS_DIR)
        update_readme(results, text)
    progress(started, f"results in {args.out}" + (" and docs/bench" if args.update_docs else ""))
    return 0


def write(results: dict, raw: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    detail = {**results, "invocations": {v: raw[v]["burst"].invocations for v in raw},
              "assume_role_per_simulated_second": {v: raw[v]["storm"].assume_role_per_second
                                                   for v in raw if raw[v]["storm"] is not None}}
    (out / "fleet.json").write_text(json.dumps(detail, indent=1) + "\n")
    report.chart(results, raw, out / "fleet.png")


def update_readme(results: dict, text: str) -> None:
    readme = README.read_text()
    begin, end = MARKERS
    if begin not in readme or end not in readme:
        raise SystemExit(f"README.md has no {begin} ... {end} section to update")
    s = results["settings"]
    block = (f"{begin}\n![fleet under throttling](docs/bench/fleet.png)\n\n"
             f"{s['containers']} containers, STS {s['sts_rate_per_second']:g}/s (burst {s['sts_burst']}), "
             f"InvokeEndpoint {s['sagemaker_rate_per_second']:g}/s (burst {s['sagemaker_burst']}), "
             f"then {s['steady_rps']:g} invocations/s for {s['steady_seconds']:g} s; refreshes over "
             f"{s['hours']:g} simulated hours; modules/child defaults (timeout {s['function_timeout_seconds']} s, "
             f"session {s['session_duration_seconds']} s). One run, `docs/bench/fleet.json`:\n\n"
             f"```\n{text}\n```\n{end}")
    README.write_text(readme[:readme.index(begin)] + block + readme[readme.index(end) + len(end):])


if __name__ == "__main__":
    sys.exit(main())
