"""How the parent module's policies grow with the number of consuming accounts, measured by plan.

One generated root calls modules/parent once per (mode, number of consumers) with
`create = false`, so nothing is created and the size checks do not stop the plan; the
module's `policy_sizes` output (the rendered documents' length without whitespace, as
IAM counts it) is read from the plan. Each consumer is one account whose invoker role is
`sagemaker-invoker-exec`, with one external ID for all:

  accounts      trust_scope = "accounts": one account root and one ArnLike pattern per consumer
  organization  trust_scope = "organization": one pattern arn:aws:iam::*:role/sagemaker-invoker-exec

IAM's quotas (IAM User Guide, "IAM and AWS STS quotas"): a role trust policy holds 2048
characters by default, 4096 at most after an increase.

Usage: python -m xacct.policy_sizes [--consumers 1,10,20,...]
"""

from __future__ import annotations

import argparse
import json

from xacct import provider_override
from xacct.emulator.client import EmulatorProcess
from xacct.staging import StagedRoot

DEFAULT_CONSUMERS = (1, 2, 5, 10, 15, 20, 21, 25, 30, 40, 43, 44, 50, 100, 150, 200)
DEFAULT_QUOTA, RAISED_QUOTA = 2048, 4096
MODES = ("accounts", "organization")
ORGANIZATION_ID = "o-abcdef1234"
EXTERNAL_ID = "6f1c2a4e-8d3b-4c7a-9e5f-0a1b2c3d4e5f"  # the length of a UUID, a common choice
ROLE_NAME = "sagemaker-invoker-exec"


def consumer_accounts(count: int) -> list[str]:
    return [f"{222200000000 + n:012d}" for n in range(1, count + 1)]


def module_inputs(mode: str, consumers: int) -> dict:
    common = {"source": "../modules/parent", "create": False, "endpoints": ["demo-echo"],
              "external_ids": [EXTERNAL_ID]}
    if mode == "accounts":
        accounts = consumer_accounts(consumers)
        return {**common, "trusted_account_ids": accounts,
                "trusted_principal_arn_patterns": [f"arn:aws:iam::{a}:role/{ROLE_NAME}" for a in accounts]}
    # The organization mode does not list the consumers: the count changes nothing in its inputs.
    return {**common, "trust_scope": "organization", "trusted_organization_id": ORGANIZATION_ID,
            "trusted_principal_arn_patterns": [f"arn:aws:iam::*:role/{ROLE_NAME}"]}


def root_config(consumer_counts: list[int]) -> dict:
    modules = {f"{mode}_{n}": module_inputs(mode, n) for mode in MODES for n in consumer_counts}
    return {"module": modules,
            "output": {"sizes": {"value": {name: f"${{module.{name}.policy_sizes}}" for name in modules}}}}


def measure(consumer_counts: list[int]) -> list[dict]:
    """One row per count: the trust policy's size in each mode and the invoke policy's."""
    with EmulatorProcess() as emulator, StagedRoot(relative_dir="sizes", files={
        provider_override.FILE_NAME: emulator.provider_override({"": "parent"}),
        "main.tf.json": json.dumps(root_config(consumer_counts), indent=2),
    }) as root:
        root.init()
        root.tf.execute_command("plan", "-input=false", "-no-color", "-out=sizes.plan")
        shown = json.loads(root.tf.execute_command("show", "-json", "sizes.plan").out)
    sizes = shown["planned_values"]["outputs"]["sizes"]["value"]
    return [{"consumers": n,
             **{mode: sizes[f"{mode}_{n}"]["trust_policy"] for mode in MODES},
             "invoke_policy": sizes[f"accounts_{n}"]["invoke_policy"]}
            for n in consumer_counts]


def verdict(size: int, quota: int) -> str:
    return "fits" if size <= quota else "too large"


def table(rows: list[dict]) -> str:
    lines = ["| consumer accounts | per-account trust policy | vs 2048 | vs 4096 | organization trust policy | vs 2048 |",
             "| ---: | ---: | --- | --- | ---: | --- |"]
    for r in rows:
        lines.append(f"| {r['consumers']} | {r['accounts']} | {verdict(r['accounts'], DEFAULT_QUOTA)} | "
                     f"{verdict(r['accounts'], RAISED_QUOTA)} | {r['organization']} | "
                     f"{verdict(r['organization'], DEFAULT_QUOTA)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m xacct.policy_sizes", description=__doc__.splitlines()[0])
    parser.add_argument("--consumers", default=",".join(map(str, DEFAULT_CONSUMERS)),
                        help="comma-separated numbers of consuming accounts (1 to 200 by default)")
    args = parser.parse_args(argv)
    counts = sorted({int(c) for c in args.consumers.split(",") if c.strip()})
    print(table(measure(counts)))


if __name__ == "__main__":
    main()
