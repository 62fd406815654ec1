"""Figures from the runs: the summary, the table, the JSON and the chart."""

from __future__ import annotations

import math
from collections import Counter

from xacct.fleet.burst import BurstResult
from xacct.fleet.storm import StormResult

THROTTLING_CODES = ("Throttling", "ThrottlingException")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # nearest rank


def _percentiles(values: list[float]) -> dict:
    return {f"p{int(q * 100)}_ms": percentile(values, q) for q in (0.5, 0.95, 0.99)}


def summarise_burst(result: BurstResult, journal: list[dict], caller_marker: str) -> dict:
    runs = result.invocations
    cold = [r for r in runs if r["kind"] == "cold"]
    warm = [r for r in runs if r["kind"] == "warm"]
    failures = Counter(f"{r['code']} ({r['stage']})" for r in runs if not r["ok"])
    warm_at = {}
    for r in runs:
        if r["ok"]:
            done = r["t"] + r["latency_ms"] / 1000
            warm_at[r["container"]] = min(done, warm_at.get(r["container"], math.inf))
    containers = len(result.assume_role_attempts)
    journalled = [e for e in journal if e.get("action") == "sts:AssumeRole" and caller_marker in (e.get("caller") or "")]
    throttled = Counter(e["action"] for e in journal if e.get("throttled"))
    attempts = result.assume_role_attempts
    return {
        "containers": containers,
        "invocations": len(runs),
        "succeeded": sum(r["ok"] for r in runs),
        "success_rate": sum(r["ok"] for r in runs) / len(runs) if runs else None,
        "cold_success_rate": sum(r["ok"] for r in cold) / len(cold) if cold else None,
        "lost_to_throttling": sum(1 for r in runs if not r["ok"] and r["code"] in THROTTLING_CODES),
        "failures": dict(failures),
        "cold": {"count": len(cold), **_percentiles([r["latency_ms"] for r in cold if r["ok"]])},
        "warm": {"count": len(warm), **_percentiles([r["latency_ms"] for r in warm if r["ok"]])},
        "assume_role_per_container": {"total": sum(attempts), "min": min(attempts, default=0),
                                      "median": percentile(attempts, 0.5), "max": max(attempts, default=0),
                                      "mean": sum(attempts) / containers if containers else 0},
        "assume_role_journalled": len(journalled),
        "throttles": {"sts:AssumeRole": throttled.get("sts:AssumeRole", 0),
                      "sagemaker:InvokeEndpoint": throttled.get("sagemaker:InvokeEndpoint", 0)},
        "fleet_warm_after_seconds": round(max(warm_at.values()), 3) if len(warm_at) == containers else None,
        "peak_assume_role_per_second": max(Counter(int(t) for t in result.assume_role_sent).values(), default=0),
    }


def summarise_storm(result: StormResult) -> dict:
    return {"peak_assume_role_per_second_at_refresh": result.peak_at_refresh,
            "first_refresh_spread_seconds": result.refresh_spread_seconds,
            "assume_role_total": sum(result.assume_role_per_second.values()),
            "invocations": result.invocations, "failures": result.failures}


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(results: dict) -> str:
    variants = list(results["burst"])
    rows = [("", *variants)]

    def row(label, get):
        rows.append((label, *(get(v) for v in variants)))

    b, s = results["burst"], results["storm"]
    row("invocations (cold + warm)", lambda v: f"{b[v]['invocations']}")
    row("success rate", lambda v: f"{100 * b[v]['success_rate']:.1f}%")
    row("lost to throttling", lambda v: f"{b[v]['lost_to_throttling']}")
    row("cold p50 / p95 / p99 ms", lambda v: " / ".join(_ms(b[v]["cold"][k]) for k in ("p50_ms", "p95_ms", "p99_ms")))
    row("warm p50 / p95 / p99 ms", lambda v: " / ".join(_ms(b[v]["warm"][k]) for k in ("p50_ms", "p95_ms", "p99_ms")))
    row("AssumeRole per container min/median/max", lambda v: "{min} / {median} / {max}".format(**b[v]["assume_role_per_container"]))
    row("throttles STS / SageMaker", lambda v: f"{b[v]['throttles']['sts:AssumeRole']} / {b[v]['throttles']['sagemaker:InvokeEndpoint']}")
    row("whole fleet warm after", lambda v: "never" if b[v]["fleet_warm_after_seconds"] is None else f"{b[v]['fleet_warm_after_seconds']:.1f} s")
    row("peak AssumeRole/s, cold burst", lambda v: f"{b[v]['peak_assume_role_per_second']}")
    if s:
        row("peak AssumeRole/s at the hourly refresh", lambda v: f"{s[v]['peak_assume_role_per_second_at_refresh']}")
        row("first refresh spread over", lambda v: f"{s[v]['first_refresh_spread_seconds']:.0f} s")
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def chart(results: dict, raw: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"before": "tab:red", "after": "tab:blue"}
    fig, axes = plt.subplots(3, 1, figsize=(10, 11))
    latency, burst_rate, storm_rate = axes
    for variant, data in raw.items():
        runs = data["burst"].invocations
        for kind, marker in (("cold", "o"), ("warm", ".")):
            points = [(r["t"], r["latency_ms"]) for r in runs if r["kind"] == kind]
            failed = [(r["t"], r["latency_ms"]) for r in runs if r["kind"] == kind and not r["ok"]]
            if points:
                latency.scatter(*zip(*points), s=10 if kind == "cold" else 4, marker=marker, alpha=0.5,
                                color=colours.get(variant), label=f"{variant}: {kind}")
            if failed:
                latency.scatter(*zip(*failed), s=40, marker="x", color=colours.get(variant),
                                label=f"{variant}: failed ({len(failed)})")
        sent = Counter(int(t) for t in data["burst"].assume_role_sent)
        if sent:
            seconds = list(range(min(sent), max(sent) + 2))  # one past the last, so a single second shows
            burst_rate.step(seconds, [sent.get(s, 0) for s in seconds], where="post",
                            color=colours.get(variant), label=variant)
        if data.get("storm") is not None:
            per_second = data["storm"].assume_role_per_second
            seconds = [s for s in per_second if s >= 60]
            storm_rate.vlines([s / 60 for s in seconds], 0, [per_second[s] for s in seconds],
                              color=colours.get(variant), alpha=0.7,
                              label=f"{variant}: peak {results['storm'][variant]['peak_assume_role_per_second_at_refresh']}/s")
    latency.set_yscale("log")
    latency.set_xlabel("seconds after the burst began")
    latency.set_ylabel("latency (ms)")
    latency.set_title(f"{results['settings']['containers']} cold containers within 1 s, then steady traffic")
    latency.legend(fontsize=7, ncol=3)
    burst_rate.axhline(results["settings"]["sts_rate_per_second"], color="grey", linestyle=":", label="STS limit")
    burst_rate.set_xlabel("seconds after the burst began")
    burst_rate.set_ylabel("AssumeRole attempts / s")
    burst_rate.legend(fontsize=8)
    storm_rate.set_xlabel("simulated minutes")
    storm_rate.set_ylabel("AssumeRole / s")
    storm_rate.set_title("refreshes of a fleet started together (simulated clock)")
    if results["storm"]:
        storm_rate.legend(fontsize=8)
    else:
        storm_rate.text(0.5, 0.5, "refresh run skipped (--hours 0)", ha="center", transform=storm_rate.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
