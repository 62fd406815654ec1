"""`make bench`: the invoker's warm-path cost against a seed-style handler and a direct call.

On the local two-account emulator, run in-process and interleaved round by round:

  ours    sagemaker_invoker.handler.lambda_handler (credentials and client reused per container)
  seed    the naive original: AssumeRole and a new sagemaker-runtime client on every call
  direct  invoke_endpoint on a ready client with already-assumed parent credentials (the floor)

AssumeRole calls and client creations are counted, not assumed: every botocore client is
created through ClientCreator.create_client (wrapped here), every AssumeRole request
passes a before-send hook on the STS clients so created, and the emulator's journal
cross-checks the AssumeRole total. Targets are reported, never asserted.

Usage: python -m xacct.bench [--n 200] [--warmup 10] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from collections import Counter
from pathlib import Path

import boto3
import botocore
import botocore.client

from xacct import bench_stream
from xacct.emulator.client import EmulatorProcess
from xacct.package import PACKAGE_NAME, ZIP_PATH
from xacct.paths import PROJECT_ROOT

# Results land under build/; the figures the README shows change only with --update-docs.
OUT_DIR = PROJECT_ROOT / "build" / "bench"
DOCS_DIR = PROJECT_ROOT / "docs" / "bench"
ENDPOINT = "Bench-Echo"
PARENT_ROLE, EXEC_ROLE = "bench-sagemaker-external", "bench-invoker-execution"
EXTERNAL_ID = "bench-external-id-1"
EVENT = {"endpoint": ENDPOINT, "body": {"instances": [[1.0, 2.0, 3.0]]}}
BODY = json.dumps(EVENT["body"], separators=(",", ":")).encode()
LABELS = {"ours": "ours (sagemaker_invoker)", "seed": "seed-style (per-call)", "direct": "direct (floor)"}
ZIP_LIMIT_BYTES = 20_000
CONTEXT = types.SimpleNamespace(aws_request_id="bench")


class Progress:
    def __init__(self):
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f}s] {message}", flush=True)


def _doc(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# --- set-up on the emulator -----------------------------------------------------------------

def provision(emu: EmulatorProcess) -> dict:
    """Endpoint, parent role and its policy; execution role in the child. Returns the handler's env."""
    parent, child, region = emu.accounts["parent"].id, emu.accounts["child"].id, emu.region
    parent_role_arn = f"arn:aws:iam::{parent}:role/{PARENT_ROLE}"
    sagemaker = emu.client("sagemaker", "parent")
    # CreateModel needs an execution role that trusts SageMaker.
    model_role_arn = emu.client("iam", "parent").create_role(RoleName="bench-model", AssumeRolePolicyDocument=_doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "sagemaker.amazonaws.com"}}))["Role"]["Arn"]
    sagemaker.create_model(ModelName=ENDPOINT, ExecutionRoleArn=model_role_arn,
                           PrimaryContainer={"Image": "echo"})
    sagemaker.create_endpoint_config(EndpointConfigName=ENDPOINT, ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": ENDPOINT, "InitialInstanceCount": 1, "InstanceType": "ml.t2.medium"}])
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=ENDPOINT)
    iam = emu.client("iam", "parent")
    iam.create_role(RoleName=PARENT_ROLE, AssumeRolePolicyDocument=_doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child}:root"},
        "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}))
    iam.put_role_policy(RoleName=PARENT_ROLE, PolicyName="invoke", PolicyDocument=_doc({
        "Effect": "Allow", "Action": "sagemaker:InvokeEndpoint",
        "Resource": f"arn:aws:sagemaker:{region}:{parent}:endpoint/{ENDPOINT.lower()}"}))
    iam = emu.client("iam", "child")
    iam.create_role(RoleName=EXEC_ROLE, AssumeRolePolicyDocument=_doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": f"arn:aws:iam::{child}:root"}}))
    iam.put_role_policy(RoleName=EXEC_ROLE, PolicyName="assume-parent", PolicyDocument=_doc({
        "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": parent_role_arn}))
    creds = emu.client("sts", "child").assume_role(
        RoleArn=f"arn:aws:iam::{child}:role/{EXEC_ROLE}", RoleSessionName="bench-invoker")["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"], "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": emu.endpoint_url, "AWS_LAMBDA_FUNCTION_NAME": "bench-invoker",
        "PARENT_ROLE_ARN": parent_role_arn, "EXTERNAL_ID": EXTERNAL_ID, "ALLOWED_ENDPOINTS": ENDPOINT,
    }


def apply_lambda_env(env: dict, scratch: Path) -> None:
    """Make os.environ look like the Lambda's: only these AWS settings, no profile files."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(env, AWS_CONFIG_FILE=str(scratch / "config"), AWS_EC2_METADATA_DISABLED="true",
                      AWS_SHARED_CREDENTIALS_FILE=str(scratch / "credentials"))


# --- counting -----------------------------------------------------------------------------

class Meter:
    """Real counts of client creations and AssumeRole requests, attributed to the running variant."""

    def __init__(self):
        self.variant = "setup"
        self.clients, self.assume_role = Counter(), Counter()

    @contextlib.contextmanager
    def installed(self):
        original = botocore.client.ClientCreator.create_client

        def create_client(creator, service_name, *args, **kwargs):
            client = original(creator, service_name, *args, **kwargs)
            self.clients[self.variant] += 1
            if service_name == "sts":
                client.meta.events.register("before-send.sts.AssumeRole", self._on_assume_role)
            return client

        botocore.client.ClientCreator.create_client = create_client
        try:
            yield self
        finally:
            botocore.client.ClientCreator.create_client = original

    def _on_assume_role(self, **kwargs) -> None:
        self.assume_role[self.variant] += 1  # returning None lets the request go out

    def reset(self) -> None:
        self.clients.clear()
        self.assume_role.clear()


# --- the three variants ---------------------------------------------------------------------

def seed_handler(event, context):
    """The naive original: a new STS client, AssumeRole and a new runtime client on every call."""
    creds = boto3.client("sts").assume_role(
        RoleArn=os.environ["PARENT_ROLE_ARN"], RoleSessionName="seed-invoker",
        ExternalId=os.environ["EXTERNAL_ID"])["Credentials"]
    runtime = boto3.client("sagemaker-runtime", aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    response = runtime.invoke_endpoint(EndpointName=event["endpoint"], ContentType="application/json",
                                       Body=json.dumps(event["body"], separators=(",", ":")))
    return {"statusCode": 200, "body": response["Body"].read().decode()}


def build_variants() -> dict:
    """One zero-argument callable per variant; each checks its answer so a failure cannot look fast."""
    sys.path.insert(0, str(PROJECT_ROOT / "lambda_src"))
    from sagemaker_invoker import handler

    handler._reset_for_tests()
    parent = boto3.Session().client("sts").assume_role(
        RoleArn=os.environ["PARENT_ROLE_ARN"], RoleSessionName="direct", ExternalId=EXTERNAL_ID)["Credentials"]
    runtime = boto3.Session(aws_access_key_id=parent["AccessKeyId"], aws_secret_access_key=parent["SecretAccessKey"],
                            aws_session_token=parent["SessionToken"]).client("sagemaker-runtime")

    def checked(result: dict) -> None:
        if result.get("statusCode") != 200 or result.get("body") != BODY.decode():
            raise RuntimeError(f"unexpected answer: {result}")

    def direct():
        answer = runtime.invoke_endpoint(EndpointName=ENDPOINT, ContentType="application/json", Body=BODY)
        checked({"statusCode": 200, "body": answer["Body"].read().decode()})

    return {"ours": lambda: checked(handler.lambda_handler(EVENT, CONTEXT)),
            "seed": lambda: checked(seed_handler(EVENT, CONTEXT)), "direct": direct}


def run_rounds(variants: dict, rounds: int, meter: Meter, progress=None) -> dict[str, list[float]]:
    """Each round calls every variant once, the order rotating per round; returns ms per call."""
    names, times = list(variants), {name: [] for name in variants}
    for i in range(rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            meter.variant = name
            started = time.perf_counter()
            variants[name]()
            times[name].append((time.perf_counter() - started) * 1000)
        if progress and (i + 1) % max(1, rounds // 4) == 0:
            progress(f"  round {i + 1}/{rounds}")
    meter.variant = "setup"
    return times


# --- statistics -----------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # nearest rank


def summarise(times: dict, meter: Meter, n: int) -> dict:
    direct_median = statistics.median(times["direct"])
    result = {}
    for name, values in times.items():
        added = statistics.median(v - d for v, d in zip(values, times["direct"]))  # paired per round
        result[name] = {
            "label": LABELS[name], "median_ms": statistics.median(values), "p95_ms": percentile(values, 0.95),
            "mean_ms": statistics.fmean(values), "min_ms": min(values), "added_ms": added,
            "ratio_to_direct": statistics.median(values) / direct_median,
            "assume_role_calls": meter.assume_role[name], "clients_created": meter.clients[name],
            "assume_role_per_1000": meter.assume_role[name] * 1000 / n,
            "clients_per_1000": meter.clients[name] * 1000 / n,
        }
    return result


# --- cold start and package -------------------------------------------------------------------

COLD_SCRIPT = """
import json, sys, time, types
started = time.perf_counter()
import sagemaker_invoker.handler as h
imported = time.perf_counter()
result = h.lambda_handler(json.loads(sys.argv[1]), types.SimpleNamespace(aws_request_id="cold"))
done = time.perf_counter()
print(json.dumps({"import_ms": (imported - started) * 1000, "first_invocation_ms": (done - imported) * 1000,
                  "status": result["statusCode"], "module": h.__file__}))
"""


def cold_start(runs: int) -> dict:
    """Import the handler from the extracted zip in a fresh interpreter, then invoke it once."""
    samples = []
    with tempfile.TemporaryDirectory(prefix="bench-task-") as task:
        zipfile.ZipFile(ZIP_PATH).extractall(task)  # what Lambda does into /var/task
        env = dict(os.environ, PYTHONPATH=task, PYTHONDONTWRITEBYTECODE="1")
        for _ in range(runs):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", COLD_SCRIPT, json.dumps(EVENT)], env=env, cwd=task,
                                 capture_output=True, text=True, check=True)
            sample = json.loads(out.stdout.strip().splitlines()[-1])
            if sample["status"] != 200 or not sample["module"].startswith(task):
                raise RuntimeError(f"cold start did not run the packaged handler: {sample}")
            samples.append(dict(sample, process_ms=(time.perf_counter() - started) * 1000))
    median = {key: statistics.median(s[key] for s in samples)
              for key in ("import_ms", "first_invocation_ms", "process_ms")}
    return dict(median, total_ms=median["import_ms"] + median["first_invocation_ms"], runs=runs)


def package_info() -> dict:
    names = zipfile.ZipFile(ZIP_PATH).namelist()
    only_handler = all(n.startswith(f"{PACKAGE_NAME}/") and n.endswith(".py") and n.count("/") == 1 for n in names)
    return {"path": str(ZIP_PATH.relative_to(PROJECT_ROOT)), "bytes": ZIP_PATH.stat().st_size, "files": names,
            "only_handler_py": only_handler, "boto_packaged": any("boto" in n.split("/")[0] for n in names)}


# --- targets and output -----------------------------------------------------------------------

def targets(summary: dict, counts: dict, package: dict) -> list[dict]:
    ours, seed, direct = summary["ours"], summary["seed"], summary["direct"]
    over_direct = ours["added_ms"] / direct["median_ms"]
    less = seed["added_ms"] / ours["added_ms"] if ours["added_ms"] > 0 else math.inf
    assumes, lifetimes = counts["ours_assume_role_total"], counts["credential_lifetimes_spanned"]
    return [
        {"target": "AssumeRole at most once per credential lifetime", "holds": assumes <= lifetimes,
         "detail": f"{assumes} AssumeRole in the run (warm-up included), {lifetimes} lifetime(s) spanned"},
        {"target": "added latency within 10% of the direct call", "holds": over_direct <= 0.10,
         "detail": f"{ours['added_ms']:+.2f} ms on {direct['median_ms']:.2f} ms = {over_direct:+.1%}"},
        {"target": "at least 10x less added latency than the seed", "holds": less >= 10,
         "detail": f"{seed['added_ms']:.2f} ms vs {ours['added_ms']:.2f} ms = "
                   + ("ours adds nothing measurable" if math.isinf(less) else f"{less:.1f}x less")},
        {"target": f"zip under 20 KB ({ZIP_LIMIT_BYTES:,} bytes), handler .py files only",
         "holds": package["bytes"] < ZIP_LIMIT_BYTES and package["only_handler_py"] and not package["boto_packaged"],
         "detail": f"{package['bytes']:,} bytes, {len(package['files'])} files, "
                   f"boto3 packaged: {package['boto_packaged']}"},
    ]


def print_table(summary: dict) -> None:
    head = (f"{'variant':<26}{'median ms':>10}{'p95 ms':>9}{'added ms':>10}{'x direct':>10}"
            f"{'AssumeRole/1k':>15}{'clients/1k':>12}")
    print("\n" + head + "\n" + "-" * len(head))
    for s in summary.values():
        print(f"{s['label']:<26}{s['median_ms']:>10.2f}{s['p95_ms']:>9.2f}{s['added_ms']:>+10.2f}"
              f"{s['ratio_to_direct']:>9.2f}x{s['assume_role_per_1000']:>15.1f}{s['clients_per_1000']:>12.1f}")


def draw(summary: dict, path: Path, n: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(summary)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    x = range(len(names))
    left.bar([i - 0.2 for i in x], [summary[v]["median_ms"] for v in names], 0.4, label="median")
    left.bar([i + 0.2 for i in x], [summary[v]["p95_ms"] for v in names], 0.4, label="p95")
    for i, v in enumerate(names):
        note = "floor" if v == "direct" else (f"{summary[v]['added_ms']:+.2f} ms added\n"
                                             f"median {summary[v]['ratio_to_direct']:.2f}x direct")
        left.annotate(note, (i, summary[v]["p95_ms"]), ha="center", va="bottom", fontsize=9,
                      xytext=(0, 3), textcoords="offset points")
    left.set_xticks(list(x), [summary[v]["label"] for v in names], fontsize=8)
    left.set_ylabel("latency per warm invocation (ms)")
    left.set_ylim(0, max(summary[v]["p95_ms"] for v in names) * 1.3)
    left.set_title(f"Warm invocations on the emulator (N={n} each)")
    left.legend()
    for offset, key, label in ((-0.2, "assume_role_per_1000", "AssumeRole"),
                               (0.2, "clients_per_1000", "clients created")):
        bars = right.bar([i + offset for i in x], [summary[v][key] for v in names], 0.4, label=label)
        right.bar_label(bars, fmt="%.0f", fontsize=8)
    right.set_xticks(list(x), [v for v in names])
    right.set_title("per 1,000 warm invocations")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def measure(args, progress) -> dict:
    """Everything that needs the emulator: the interleaved rounds, the counts, the cold starts."""
    meter = Meter()
    progress("starting the two-account emulator")
    with EmulatorProcess() as emu, tempfile.TemporaryDirectory() as scratch, meter.installed():
        progress("provisioning: endpoint, parent role (ExternalId trust) and policy; child execution role")
        apply_lambda_env(provision(emu), Path(scratch))
        started = time.monotonic()
        variants = build_variants()
        progress(f"warming up: {args.warmup} invocations per variant (ours assumes the role here, once)")
        run_rounds(variants, args.warmup, meter)
        warmup = {"assume_role": dict(meter.assume_role), "clients": dict(meter.clients)}
        meter.reset()
        emu.clear_journal()
        progress(f"measuring: {args.n} rounds of ours/seed/direct, order rotating per round")
        times = run_rounds(variants, args.n, meter, progress)
        journal = sum(1 for e in emu.journal() if e.get("action") == "sts:AssumeRole")
        hooks = sum(meter.assume_role.values())  # before the streaming rows add their own
        elapsed = time.monotonic() - started
        progress(f"streaming: {args.n} rounds of invoker stream mode / profile consumer / direct stream")
        from xacct.emulator.sagemaker_stream import part_delay
        streaming = bench_stream.measure(emu, Path(scratch), ENDPOINT, BODY, os.environ["PARENT_ROLE_ARN"], EXTERNAL_ID,
                                         args.n, args.warmup, part_delay())
        progress(f"cold start: {args.cold_runs} fresh interpreters importing the packaged handler, one call each")
        cold = cold_start(args.cold_runs)
    from sagemaker_invoker import config, parent_access  # imported by build_variants

    cfg = config.get_config()
    refresh_period = cfg.session_duration_seconds - parent_access.for_config(cfg).windows.advisory
    counts = {"measured_assume_role_hooks": hooks, "measured_assume_role_journal": journal,
              "ours_assume_role_total": warmup["assume_role"].get("ours", 0) + meter.assume_role["ours"],
              "credential_lifetimes_spanned": 1 + int(elapsed // refresh_period),
              "warmup": warmup, "run_seconds": round(elapsed, 1)}
    return {"summary": summarise(times, meter, args.n), "counts": counts, "cold_start": cold, "streaming": streaming}


def build_results(args, measured: dict) -> dict:
    summary, package = measured["summary"], package_info()
    ours, seed, direct = summary["ours"], summary["seed"], summary["direct"]
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "n": args.n, "warmup": args.warmup,
        "environment": {"python": platform.python_version(), "boto3": boto3.__version__,
                        "botocore": botocore.__version__, "platform": platform.platform(), "cpus": os.cpu_count()},
        "added_ms_definition": "median over rounds of (variant - direct) for the same round",
        "variants": summary,
        "comparisons": {
            "seed_added_over_ours_added": seed["added_ms"] / ours["added_ms"] if ours["added_ms"] > 0 else None,
            "ours_added_pct_of_direct": 100 * ours["added_ms"] / direct["median_ms"],
            "ours_median_pct_over_direct": 100 * (ours["ratio_to_direct"] - 1),
        },
        "counts": measured["counts"], "cold_start": measured["cold_start"], "package": package,
        "targets": targets(summary, measured["counts"], package),
    }


def print_report(results: dict) -> None:
    summary, comparisons, counts = results["variants"], results["comparisons"], results["counts"]
    cold, package = results["cold_start"], results["package"]
    print_table(summary)
    less = comparisons["seed_added_over_ours_added"]
    print(f"\nours adds {summary['ours']['added_ms']:+.2f} ms over direct "
          f"({comparisons['ours_added_pct_of_direct']:+.1f}% of it); the seed adds {summary['seed']['added_ms']:+.2f} ms: "
          + (f"{less:.1f}x less" if less else "ours adds nothing measurable"))
    print(f"AssumeRole in the measured phase: {counts['measured_assume_role_hooks']} by client hooks, "
          f"{counts['measured_assume_role_journal']} in the emulator journal")
    print(f"cold start (median of {cold['runs']}): import {cold['import_ms']:.0f} ms + first invocation "
          f"{cold['first_invocation_ms']:.0f} ms = {cold['total_ms']:.0f} ms; zip {package['bytes']:,} bytes, "
          f"{len(package['files'])} files: {', '.join(package['files'])}")
    print("\ntargets (reported, not asserted):")
    for check in results["targets"]:
        print(f"  [{'holds' if check['holds'] else 'MISSED'}] {check['target']}: {check['detail']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xacct.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="warm invocations per variant (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed invocations per variant first (default 10)")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh-interpreter cold starts (default 5)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where results.json/.png go (default build/bench)")
    parser.add_argument("--update-docs", action="store_true", help="write to docs/bench, the figures the README shows")
    args = parser.parse_args(argv)
    if args.update_docs:
        args.out = DOCS_DIR
    progress = Progress()
    measured = measure(args, progress)
    results = build_results(args, measured)
    print_report(results)
    bench_stream.print_rows(measured["streaming"])
    progress(f"wrote {bench_stream.write(measured['streaming'], args.out)}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    draw(results["variants"], args.out / "results.png", args.n)
    progress(f"wrote {args.out / 'results.json'} and {args.out / 'results.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
