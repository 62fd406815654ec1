"""Mutation testing of the invoker Lambda and the emulator's policy engine (`make mutation`).

Line coverage says which lines ran; mutation testing says whether a test would notice them
being wrong. mutmut (pinned in pyproject's `mutation` extra) rewrites the code under test one
small change at a time (a flipped comparison, a dropped argument, another constant) and runs
the unit tests that reach the changed function; a mutant the tests still pass "survived".

Each target is staged in a folder of its own under build/mutation/, because mutmut names a
mutant by the file's path while the tests name it by its import path: the Lambda package is
imported as `sagemaker_invoker` (the Lambda's handler setting, and pyproject's pytest
pythonpath), not `lambda_src.sagemaker_invoker`, so it is copied to the top of its stage.
Only the listed unit test files run, so a mutant costs seconds, not a whole suite.

Mutants that no test can kill because they do not change behaviour (equivalent mutants) are
listed with the reason in tests/mutation_equivalents.yaml and left out of the score; an entry
that no longer names a surviving mutant is reported as stale. mutmut mutates code inside
functions only: module-level tables (the condition operators, the retryable error codes, the
limits) have table-driven tests of their own instead.

Usage: python -m xacct.mutation [--only lambda|policy] [--max-children N] [--minimum 95] [--sample K]
       [--resume | --report-only]
(`make mutation MUTATION_ARGS=...`). --resume keeps the last run, brings in the current tests and
runs only its survivors again: the quick loop while writing the tests that kill them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from xacct.paths import PROJECT_ROOT, TESTS_DIR

OUT_DIR = PROJECT_ROOT / "build" / "mutation"
EQUIVALENTS = TESTS_DIR / "mutation_equivalents.yaml"
MINIMUM_SCORE = 95.0
# mutmut's exit codes per mutant (mutmut/stats.py): a failing test, a pytest internal error,
# a timeout (the mutant made the code hang) or a crash all mean the tests noticed.
_KILLED = {1: "killed", 3: "killed", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
           36: "timeout", 37: "killed", -11: "crashed", -9: "crashed"}
_SURVIVED = {0: "survived", 5: "no tests", 33: "no tests"}


@dataclass(frozen=True)
class Target:
    label: str  # what the report calls it
    copies: tuple[tuple[str, str], ...]  # (path in the stage, path in the project)
    source_path: str  # mutmut's source_paths, in the stage
    only_mutate: tuple[str, ...]
    tests: tuple[str, ...]  # unit test files (and helpers) the mutants run against
    data: tuple[str, ...] = ()  # project files those tests read (found beside the tests' root)


_LAMBDA_TESTS = ("test_handler.py", "test_invoker_budget.py", "test_invoker_contract_fields.py",
                 "test_invoker_deep_body.py", "test_invoker_logging.py", "test_invoker_refresh_jitter.py",
                 "test_invoker_stream.py", "test_invoker_throttle_retry.py", "test_credential_refresh_clock.py",
                 "test_invoker_error_table.py", "test_invoker_config_limits.py", "test_invoker_contract_limits.py",
                 "test_invoker_log_line.py", "test_invoker_stream_events.py",
                 "test_invoker_answer_fields.py", "test_invoker_refresh_windows.py")
_POLICY_TESTS = ("test_policy_engine.py", "test_iam_condition_operators.py", "test_iam_request_context.py",
                 "test_iam_hook_points.py", "test_iam_operator_table.py", "test_policy_engine_rules.py")

TARGETS = {
    "lambda": Target(
        label="lambda_src/sagemaker_invoker/",
        copies=(("sagemaker_invoker", "lambda_src/sagemaker_invoker"),),
        source_path="sagemaker_invoker",
        only_mutate=("sagemaker_invoker/*",),
        tests=_LAMBDA_TESTS,
        # test_invoker_budget checks the child module's default timeout and the README's table.
        data=("modules/child/variables.tf", "lambda_src/README.md"),
    ),
    "policy": Target(
        label="xacct/emulator/policy.py",
        # The whole package: a partial copy would lose to the installed one on import.
        copies=(("xacct", "xacct"),),
        source_path="xacct",
        only_mutate=("xacct/emulator/policy.py",),
        tests=_POLICY_TESTS,
    ),
}


# --------------------------------------------------------------------------
# Scoring (pure: unit-tested with seeded results)
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    killed: int
    survived: tuple[str, ...]  # mutant names, equivalents excluded
    equivalent: tuple[str, ...]  # listed equivalents that did survive
    stale: tuple[str, ...]  # listed equivalents that were killed or do not exist (any more)

    @property
    def counted(self) -> int:
        return self.killed + len(self.survived)

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def score(exit_codes: dict[str, int | None], equivalents: dict[str, str]) -> Score:
    """Killed/survived from mutmut's exit code per mutant; listed equivalents are not counted.

    A mutant that was never run (None: mutmut stopped early) or that no test reached counts as
    survived: the score is only as good as what was actually tried.
    """
    killed, survived, equivalent = 0, [], []
    for name, code in sorted(exit_codes.items()):
        if code in _KILLED:
            killed += 1
        elif name in equivalents:
            equivalent.append(name)
        else:
            survived.append(name)
    stale = sorted(name for name in equivalents if name not in equivalent)
    return Score(killed, tuple(survived), tuple(equivalent), tuple(stale))


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, dict[str, str]]:
    """Target name -> {mutant name: why it is equivalent}."""
    data = yaml.safe_load(path.read_text()) or {}
    unknown = set(data) - set(TARGETS)
    if unknown:
        raise ValueError(f"{path.name}: unknown target(s) {sorted(unknown)}; targets are {sorted(TARGETS)}")
    for target, entries in data.items():
        for name, reason in (entries or {}).items():
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"{path.name}: {target} {name} needs a reason")
    return {target: dict(data.get(target) or {}) for target in TARGETS}


def report_line(target: Target, result: Score) -> str:
    return (f"{target.label:32} killed {result.killed:5}  survived {len(result.survived):4}  "
            f"equivalent {len(result.equivalent):3}  score {result.percent:5.1f}%")


# --------------------------------------------------------------------------
# Running mutmut
# --------------------------------------------------------------------------

def _pyproject(target: Target) -> str:
    mutmut = {
        "source_paths": [target.source_path],
        "only_mutate": list(target.only_mutate),
        # The stage holds only the target's test files, so the folder is the selection; a
        # test file added later (--resume) is then new tests, not a changed configuration
        # (which would make mutmut forget every result).
        "pytest_add_cli_args_test_selection": ["tests/unit"],
        # Tests that start an emulator process are left out: they wait on real back-off and
        # rate limits for seconds, and every mutant of the code they pass through would wait
        # again. What they check end to end has unit tests of its own (test_invoker_throttle_retry).
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-p", "no:xdist", "-m", "not emulator"],
        # mutmut copies whole folders into its mutants/ copy (a single file needs its folder).
        "also_copy": sorted({str(Path(path).parent) for path in target.data}),
        # The stage is no git checkout; mutmut's change detection would only warn.
        "use_git_change_detection": False,
    }
    lines = ["[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in mutmut.items()]
    lines += ["", "[tool.pytest.ini_options]", 'pythonpath = ["."]', 'addopts = "-p no:cacheprovider"',
              f"markers = {json.dumps(_markers())}"]
    return "\n".join(lines) + "\n"


def _markers() -> list[str]:
    import tomllib

    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]


def stage(name: str, target: Target, out: Path = OUT_DIR) -> Path:
    """A fresh folder holding the code under test, the tests it runs and mutmut's configuration."""
    root = out / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "tests" / "unit").mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for dest, source in target.copies:
        shutil.copytree(PROJECT_ROOT / source, root / dest, ignore=ignore)
    for relative in target.data:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / relative, root / relative)
    copy_tests(target, root)
    (root / "pyproject.toml").write_text(_pyproject(target))
    return root


def copy_tests(target: Target, root: Path) -> None:
    """The target's test files, the helpers they import (fakes.py, iam_world.py) and conftest.py."""
    shutil.copy2(TESTS_DIR / "conftest.py", root / "tests" / "conftest.py")
    for path in (TESTS_DIR / "unit").glob("*.py"):
        if path.name in target.tests or not path.name.startswith("test_"):
            shutil.copy2(path, root / "tests" / "unit" / path.name)


def run_mutmut(root: Path, max_children: int, mutants: list[str] = ()) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MUTANT_UNDER_TEST")}
    subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children), *mutants],
                   cwd=root, env=env, check=True)


def exit_codes(root: Path) -> dict[str, int | None]:
    """mutmut's result per mutant, from the .meta file it keeps beside each mutated file."""
    codes: dict[str, int | None] = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def in_sample(names, k: int) -> list[str]:
    """Mutants 1, 1+k, 1+2k, ... of each function (mutmut numbers each function's mutants from 1)."""
    return sorted(m for m in names if (int(m.rpartition("__mutmut_")[2]) - 1) % k == 0)


def write_survivors(root: Path, name: str, result: Score, out: Path = OUT_DIR) -> Path:
    """Each surviving mutant's diff (`mutmut show`), for writing the test that kills it; unrun ones by name."""
    path = out / f"{name}-survivors.txt"
    codes = exit_codes(root)
    unrun = [m for m in result.survived if codes.get(m) is None]
    parts = [f"# {len(result.survived)} surviving mutant(s) of {TARGETS[name].label}, {len(unrun)} of them not run\n"]
    for mutant in result.survived:
        if mutant in unrun:
            parts.append(f"# {mutant}: not run\n")
            continue
        shown = subprocess.run([sys.executable, "-m", "mutmut", "show", mutant], cwd=root,
                               capture_output=True, text=True)
        parts.append(shown.stdout or f"# {mutant}\n{shown.stderr}")
    path.write_text("\n".join(parts))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="one target (repeatable)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--minimum", type=float, default=MINIMUM_SCORE, help="lowest passing score, in percent")
    parser.add_argument("--report-only", action="store_true", help="score the last run without running mutmut")
    parser.add_argument("--resume", action="store_true",
                        help="keep the last run; bring in the current tests and run its survivors again")
    parser.add_argument("--sample", type=int, default=1, metavar="K",
                        help="run and score one mutant in K of each function (1, 1+K, ...): a quicker estimate")
    args = parser.parse_args(argv)
    equivalents = load_equivalents()
    out = OUT_DIR  # read at call time: tests point it elsewhere
    out.mkdir(parents=True, exist_ok=True)
    lines, failing = [], []
    for name in args.only or sorted(TARGETS):
        target = TARGETS[name]
        started = time.monotonic()
        root = out / name
        if args.resume and (root / "mutants").is_dir():
            # The code under test must be unchanged (mutant names follow it); the tests may not be.
            copy_tests(target, root)
            copy_tests(target, root / "mutants")
            # Only mutants that were run and survived: a sampled run leaves the others unrun.
            again = sorted(m for m, code in exit_codes(root).items()
                           if code is not None and code not in _KILLED and m not in equivalents[name])
            if again:
                run_mutmut(root, args.max_children, again)
        elif not args.report_only:
            root = stage(name, target, out)
            if args.sample > 1:
                # mutmut generates every mutant on its first run: run each function's first one,
                # then the rest of the sample by name.
                run_mutmut(root, args.max_children, ["*__mutmut_1"])
                rest = [m for m in in_sample(exit_codes(root), args.sample) if not m.endswith("__mutmut_1")]
                if rest:
                    run_mutmut(root, args.max_children, rest)
            else:
                run_mutmut(root, args.max_children)
        codes = exit_codes(root)
        if args.sample > 1:
            codes = {m: codes[m] for m in in_sample(codes, args.sample)}
        result = score(codes, {m: why for m, why in equivalents[name].items() if m in codes or args.sample == 1})
        survivors = write_survivors(root, name, result, out)
        line = report_line(target, result) + f"  ({time.monotonic() - started:.0f} s)"
        if args.sample > 1:
            line += f"  [1 in {args.sample} sampled]"
        lines.append(line)
        shown = survivors.relative_to(PROJECT_ROOT) if survivors.is_relative_to(PROJECT_ROOT) else survivors
        print(f"[mutation] {line}\n[mutation]   survivors: {shown}")
        for stale in result.stale:
            print(f"[mutation]   stale equivalent in {EQUIVALENTS.name}: {stale} (killed or gone)")
        if result.percent < args.minimum:
            failing.append(target.label)
    (out / "scores.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(["[mutation] scores (equivalent mutants excluded):"] + [f"  {line}" for line in lines]))
    if failing:
        print(f"[mutation] below {args.minimum:g}%: {', '.join(failing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
