"""The streaming rows of `make bench`: time to first part and total time, against a direct stream.

Three ways to stream the same answer (InvokeEndpointWithResponseStream on the emulator's
echo endpoint, which runs the echo model: the custom attributes `stream=true;chunk-bytes=N`
ask it for PARTS chunks, and the emulator pauses between the parts), interleaved round by
round:

  stream-ours     the invoker's `stream: true` mode (handler in-process, warm container); its
                  first part is timed by the handler itself (`firstPartMs`, from the start of
                  the invocation): its caller only gets the whole answer at the end
  stream-profile  a consumer configured only by a shared config profile (role_arn,
                  external_id, source_profile), botocore assuming and refreshing the role
  stream-direct   a ready client with already-assumed parent credentials (the floor)

Each is reported as a ratio to stream-direct, in the same run. Results go to
build/bench/streaming.json.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

import boto3

LABELS = {"stream-ours": "invoker stream: true", "stream-profile": "profile consumer", "stream-direct": "direct (floor)"}
PROFILE = "bench-stream-consumer"
PARTS = 4  # chunks the echo model is asked to cut each answer into


def _chunk_bytes(body: bytes) -> int:
    return max(1, math.ceil(len(body) / PARTS))


def stream_attributes(body: bytes) -> str:
    """The echo model's custom attributes for an answer of `body` in PARTS chunks (fewer when shorter)."""
    return f"stream=true;chunk-bytes={_chunk_bytes(body)}"


def _write_profile(scratch: Path, region: str, role_arn: str, external_id: str, source_keys) -> None:
    """The consumer's whole credential set-up: two files, no code."""
    with open(scratch / "config", "a") as config:
        config.write(f"[profile {PROFILE}]\nregion = {region}\nrole_arn = {role_arn}\nexternal_id = {external_id}\n"
                     f"source_profile = {PROFILE}-source\nrole_session_name = bench-stream\n")
    with open(scratch / "credentials", "a") as credentials:
        credentials.write(f"[{PROFILE}-source]\naws_access_key_id = {source_keys.access_key_id}\n"
                          f"aws_secret_access_key = {source_keys.secret_access_key}\n")


def _timed_stream(client, endpoint: str, body: bytes) -> tuple[float, float]:
    started = time.perf_counter()
    answer = client.invoke_endpoint_with_response_stream(EndpointName=endpoint, Body=body, ContentType="application/json",
                                                         CustomAttributes=stream_attributes(body))
    first, parts = None, []
    for event in answer["Body"]:
        if first is None:
            first = time.perf_counter()
        parts.append(event["PayloadPart"]["Bytes"])
    if b"".join(parts) != body or len(parts) < 2:
        raise RuntimeError(f"unexpected stream: {parts}")
    return (first - started) * 1000, (time.perf_counter() - started) * 1000


def build_variants(emu, scratch: Path, endpoint: str, body: bytes, role_arn: str, external_id: str) -> dict:
    """One zero-argument callable per variant returning (ms to first part, total ms)."""
    from sagemaker_invoker import handler  # on sys.path once xacct.bench built its variants

    _write_profile(scratch, emu.region, role_arn, external_id, emu.accounts["child"])
    profile_client = boto3.Session(profile_name=PROFILE).client("sagemaker-runtime")
    parent = boto3.Session().client("sts").assume_role(
        RoleArn=role_arn, RoleSessionName="stream-direct", ExternalId=external_id)["Credentials"]
    direct_client = boto3.Session(aws_access_key_id=parent["AccessKeyId"], aws_secret_access_key=parent["SecretAccessKey"],
                                  aws_session_token=parent["SessionToken"]).client("sagemaker-runtime")
    event = {"endpoint": endpoint, "body": body.decode(), "stream": True, "custom_attributes": stream_attributes(body)}

    def ours():
        started = time.perf_counter()
        result = handler.lambda_handler(event, None)
        total = (time.perf_counter() - started) * 1000
        if result.get("statusCode") != 200 or result.get("body") != body.decode() or result.get("parts", 0) < 2:
            raise RuntimeError(f"unexpected answer: {result}")
        return result["firstPartMs"], total

    return {"stream-ours": ours,
            "stream-profile": lambda: _timed_stream(profile_client, endpoint, body),
            "stream-direct": lambda: _timed_stream(direct_client, endpoint, body)}


def run(variants: dict, rounds: int) -> dict:
    names = list(variants)
    times = {name: {"first": [], "total": []} for name in names}
    for i in range(rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            first, total = variants[name]()
            times[name]["first"].append(first)
            times[name]["total"].append(total)
    return times


def summarise(times: dict, parts: int, delay: float) -> dict:
    floor = {key: statistics.median(times["stream-direct"][key]) for key in ("first", "total")}
    rows = {}
    for name, values in times.items():
        first, total = statistics.median(values["first"]), statistics.median(values["total"])
        rows[name] = {"label": LABELS[name], "first_part_median_ms": first, "total_median_ms": total,
                      "first_part_ratio_to_direct": first / floor["first"], "total_ratio_to_direct": total / floor["total"]}
    return {"parts_per_answer": parts, "delay_between_parts_s": delay, "variants": rows,
            "target": {"target": "time to first part within 10% of the direct call when warm (invoker)",
                       "holds": rows["stream-ours"]["first_part_ratio_to_direct"] <= 1.10}}


def measure(emu, scratch: Path, endpoint: str, body: bytes, role_arn: str, external_id: str,
            rounds: int, warmup: int, delay: float) -> dict:
    variants = build_variants(emu, scratch, endpoint, body, role_arn, external_id)
    run(variants, warmup)
    result = summarise(run(variants, rounds), math.ceil(len(body) / _chunk_bytes(body)), delay)
    result["n"] = rounds
    return result


def print_rows(result: dict) -> None:
    head = f"{'streaming variant':<26}{'first part ms':>14}{'x direct':>10}{'total ms':>10}{'x direct':>10}"
    print("\n" + head + "\n" + "-" * len(head))
    for row in result["variants"].values():
        print(f"{row['label']:<26}{row['first_part_median_ms']:>14.2f}{row['first_part_ratio_to_direct']:>9.2f}x"
              f"{row['total_median_ms']:>10.2f}{row['total_ratio_to_direct']:>9.2f}x")
    target = result["target"]
    print(f"  [{'holds' if target['holds'] else 'MISSED'}] {target['target']}")


def write(result: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "streaming.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path
