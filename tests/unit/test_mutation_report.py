"""`make mutation`'s scoring (xacct/mutation.py): what counts as killed, what equivalents remove,
and that a run below the minimum fails."""

from __future__ import annotations

import json
import tomllib

import pytest

from xacct import mutation

pytestmark = pytest.mark.unit

# mutmut's exit code per mutant (mutmut/stats.py): 1 a test failed, 0 all tests passed,
# 33 no test reached the mutant, 36 timed out, None never run.
SEEDED = {
    "pkg.mod.x_f__mutmut_1": 1,
    "pkg.mod.x_f__mutmut_2": 1,
    "pkg.mod.x_f__mutmut_3": 36,
    "pkg.mod.x_f__mutmut_4": 0,
    "pkg.mod.x_g__mutmut_1": 0,
    "pkg.mod.x_g__mutmut_2": 33,
    "pkg.mod.x_g__mutmut_3": None,
}


def test_survivors_no_tests_and_unrun_mutants_count_against_the_score():
    result = mutation.score(SEEDED, {})
    assert result.killed == 3
    assert result.survived == ("pkg.mod.x_f__mutmut_4", "pkg.mod.x_g__mutmut_1", "pkg.mod.x_g__mutmut_2",
                               "pkg.mod.x_g__mutmut_3")
    assert result.percent == pytest.approx(100 * 3 / 7)


def test_listed_equivalents_leave_the_score_and_stale_entries_are_reported():
    equivalents = {"pkg.mod.x_g__mutmut_1": "same result", "pkg.mod.x_f__mutmut_1": "was killed",
                   "pkg.mod.x_h__mutmut_9": "no longer generated"}
    result = mutation.score(SEEDED, equivalents)
    assert result.equivalent == ("pkg.mod.x_g__mutmut_1",)
    assert result.counted == 6 and result.percent == pytest.approx(50.0)
    assert result.stale == ("pkg.mod.x_f__mutmut_1", "pkg.mod.x_h__mutmut_9")


def test_a_run_below_the_minimum_fails(tmp_path, monkeypatch, capsys):
    """The report exits non-zero when a target scores under --minimum (a seeded survivor)."""
    root = tmp_path / "policy" / "mutants" / "xacct" / "emulator"
    root.mkdir(parents=True)
    codes = {f"xacct.emulator.policy.x_f__mutmut_{i}": 1 for i in range(19)} | {"xacct.emulator.policy.x_f__mutmut_19": 0}
    (root / "policy.py.meta").write_text(json.dumps({"exit_code_by_key": codes}))
    monkeypatch.setattr(mutation, "OUT_DIR", tmp_path)
    monkeypatch.setattr(mutation, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(mutation, "write_survivors", lambda root, name, result, out: tmp_path / f"{name}-survivors.txt")
    # 19 of 20 killed: exactly 95%, which passes ("95% or better"); one point more does not.
    assert mutation.main(["--only", "policy", "--report-only", "--minimum", "95"]) == 0
    assert "score  95.0%" in capsys.readouterr().out
    assert mutation.main(["--only", "policy", "--report-only", "--minimum", "95.1"]) == 1
    assert "below 95.1%: xacct/emulator/policy.py" in capsys.readouterr().out


def test_an_equivalent_needs_a_reason(tmp_path):
    listed = tmp_path / "equivalents.yaml"
    listed.write_text("policy:\n  xacct.emulator.policy.x_f__mutmut_1: ''\n")
    with pytest.raises(ValueError, match="x_f__mutmut_1 needs a reason"):
        mutation.load_equivalents(listed)
    listed.write_text("polcy: {}\n")
    with pytest.raises(ValueError, match=r"unknown target\(s\) \['polcy'\]"):
        mutation.load_equivalents(listed)


def test_the_project_list_of_equivalents_loads():
    assert set(mutation.load_equivalents()) == set(mutation.TARGETS)


def test_a_stage_runs_only_its_listed_tests_and_imports_the_lambda_as_sagemaker_invoker(tmp_path):
    root = mutation.stage("lambda", mutation.TARGETS["lambda"], out=tmp_path)
    settings = tomllib.loads((root / "pyproject.toml").read_text())["tool"]
    assert settings["mutmut"]["source_paths"] == ["sagemaker_invoker"]
    assert (root / "sagemaker_invoker" / "handler.py").is_file()
    assert settings["mutmut"]["pytest_add_cli_args_test_selection"] == ["tests/unit"]
    staged = {path.name for path in (root / "tests" / "unit").glob("test_*.py")}
    assert staged == set(mutation.TARGETS["lambda"].tests)  # only the target's own tests run
    assert (root / "tests" / "unit" / "fakes.py").is_file()


def test_a_sample_takes_every_kth_mutant_of_each_function_starting_with_the_first():
    names = [f"pkg.mod.x_f__mutmut_{i}" for i in range(1, 8)] + ["pkg.mod.x_g__mutmut_1", "pkg.mod.x_g__mutmut_2"]
    assert mutation.in_sample(names, 3) == ["pkg.mod.x_f__mutmut_1", "pkg.mod.x_f__mutmut_4", "pkg.mod.x_f__mutmut_7",
                                            "pkg.mod.x_g__mutmut_1"]
    assert mutation.in_sample(names, 1) == sorted(names)


def test_the_readme_loop_sampled_run_resume_and_report_on_the_policy_engine(tmp_path, monkeypatch, capsys):
    """The README's commands run for real (mutmut on policy.py, a sparse sample to keep it short):
    a sampled run runs exactly its sample, --resume reruns a survivor with the current tests, and
    --report-only scores the kept run without running anything."""
    monkeypatch.setattr(mutation, "OUT_DIR", tmp_path)
    assert mutation.main(["--only", "policy", "--sample", "60", "--minimum", "0"]) == 0
    assert "[1 in 60 sampled]" in capsys.readouterr().out
    root = tmp_path / "policy"
    codes = mutation.exit_codes(root)
    sample = mutation.in_sample(codes, 60)
    assert len(sample) < len(codes)
    assert [m for m in sample if codes[m] is None] == [], "every mutant of the sample ran"
    assert all(codes[m] is None for m in set(codes) - set(sample)), "and nothing else"
    # Seed a survivor: --resume must run it again (and the current tests kill it).
    seeded = next(m for m in sample if codes[m] in (1, 3))
    meta = next(root.joinpath("mutants").rglob("policy.py.meta"))
    data = json.loads(meta.read_text())
    data["exit_code_by_key"][seeded] = 0
    meta.write_text(json.dumps(data))
    assert mutation.main(["--only", "policy", "--sample", "60", "--minimum", "100", "--report-only"]) == 1
    assert mutation.main(["--only", "policy", "--sample", "60", "--minimum", "0", "--resume"]) == 0
    assert mutation.exit_codes(root)[seeded] in (1, 3), "the seeded survivor was run again and killed"
    capsys.readouterr()
    assert mutation.main(["--only", "policy", "--sample", "60", "--report-only", "--minimum", "0"]) == 0
    codes = mutation.exit_codes(root)
    expected = mutation.score({m: codes[m] for m in sample}, {})
    assert f"killed {expected.killed:5}" in capsys.readouterr().out
