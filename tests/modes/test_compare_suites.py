"""``mode=compare`` on two suite results: per benchmark Δ with a paired CI and an exact test, against
hand-computed values, and the line to paste."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.evaluation.paired import format_p, paired_difference, paper_line
from rlvr.evaluation.stats import bootstrap_ci
from rlvr.modes import MODES
from tests.conftest import compose_config

# MATH-500-like, greedy: both right on 0-1, only a on 4, only b on 5-9 (a 3/10, b 7/10).
A_GREEDY = [True, True, False, False, True, False, False, False, False, False]
B_GREEDY = [True, True, False, False, False, True, True, True, True, True]
# AIME-like, 4 samples per problem: right samples per problem under a and b.
A_COUNTS, B_COUNTS = [1, 0, 2], [3, 1, 2]


def _suite_dir(folder: Path, model: str, greedy: list[bool], counts: list[int], order: list[int]) -> Path:
    """A mode=eval eval.suite result written by hand: two benchmark tables and suite_summary.json."""
    (folder / "suite").mkdir(parents=True)
    math_rows = [{"id": f"m{i}", "correct": right, "extracted": "x"} for i, right in enumerate(greedy)]
    math_rows = [math_rows[i] for i in order]  # rows are paired by id, not by line
    aime_rows = [{"id": 60 + i, "correct": False, "sampled_correct": c} for i, c in enumerate(counts)]
    for name, rows in (("math500", math_rows), ("aime24", aime_rows)):
        (folder / "suite" / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    entries = [
        {
            "name": "math500",
            "title": "MATH-500",
            "headline": "accuracy",
            "samples": 0,
            "table": "suite/math500.jsonl",
        },
        {
            "name": "aime24",
            "title": "AIME24",
            "headline": "mean@4",
            "samples": 4,
            "table": "suite/aime24.jsonl",
        },
    ]
    summary = {"suite": "math_std", "model": model, "benchmarks": entries}
    (folder / "suite_summary.json").write_text(json.dumps(summary))
    return folder


def _compare(a: Path, b: Path, out: Path) -> dict[str, Any]:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    cfg = compose_config(["mode=compare", f"a={a}", f"b={b}", "eval.bootstrap_samples=500"])
    validate_config(cfg, modes=MODES)
    return run(cfg, RunDir(out))


def test_suite_comparison_per_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _suite_dir(tmp_path / "base", "base-model", A_GREEDY, A_COUNTS, list(range(10)))
    b = _suite_dir(tmp_path / "trained", "adapter", B_GREEDY, B_COUNTS, list(reversed(range(10))))
    result = _compare(a, b / "suite_summary.json", tmp_path / "run")  # a run dir or its summary file
    math, aime = result["benchmarks"]
    assert (math["a"], math["b"], math["delta"]) == (0.3, 0.7, pytest.approx(0.4))
    assert (math["a_only_correct"], math["b_only_correct"], math["matched_by"]) == (1, 5, "id")
    assert math["p"] == pytest.approx(0.21875) and math["test"] == "exact McNemar"  # 2·(1+6)/2^6
    diffs = [float(y) - float(x) for x, y in zip(A_GREEDY, B_GREEDY, strict=True)]
    assert math["delta_ci"] == list(bootstrap_ci(diffs, 500, 42))  # paired: over per-row differences
    assert (aime["a"], aime["b"], aime["delta"]) == (0.25, 0.5, 0.25)  # 3/12 → 6/12 of the samples
    assert aime["p"] == pytest.approx(0.5)  # count differences 2, 1, 0: sums ±2±1 → |s| >= 3 in 2 of 4
    assert aime["test"].startswith("exact sign-flip")
    low, high = math["delta_ci"]
    assert math["line"] == f"MATH-500 +40.0 pts [{100 * low:+.1f}, {100 * high:+.1f}], p = 0.22"
    assert aime["line"].startswith("AIME24 (mean@4) +25.0 pts [") and aime["line"].endswith("p = 0.5")
    out = capsys.readouterr().out
    assert "rlvr: compare: MATH-500 +40.0 pts" in out and "(exact McNemar, 10 rows)" in out
    saved = json.loads((tmp_path / "run" / "compare_report.json").read_text())
    assert saved["benchmarks"][0]["line"] == math["line"] and saved["b_model"] == "adapter"
    markdown = (tmp_path / "run" / "compare_summary.md").read_text()
    assert "| MATH-500 | 10 | accuracy | 30.0 | 70.0 | +40.0 [" in markdown and math["line"] in markdown


def test_a_benchmark_sampled_differently_is_compared_on_greedy_accuracy(tmp_path: Path) -> None:
    a = _suite_dir(tmp_path / "a", "x", A_GREEDY, A_COUNTS, list(range(10)))
    b = _suite_dir(tmp_path / "b", "y", A_GREEDY, A_COUNTS, list(range(10)))
    summary = json.loads((b / "suite_summary.json").read_text())
    summary["benchmarks"][1] |= {"headline": "mean@8", "samples": 8}
    (b / "suite_summary.json").write_text(json.dumps(summary))
    aime = _compare(a, b, tmp_path / "run")["benchmarks"][1]
    assert (aime["metric"], aime["delta"], aime["p"]) == ("accuracy", 0.0, 1.0)


@pytest.mark.parametrize(
    ("p", "text"), [(0.0004, "p = 0.0004"), (0.21875, "p = 0.22"), (1.0, "p = 1"), (3e-7, "p < 0.0001")]
)
def test_p_values_print_as_papers_print_them(p: float, text: str) -> None:
    assert format_p(p) == text


def test_the_paper_line() -> None:
    result = {"metric": "accuracy", "delta": 0.042, "delta_ci": [0.019, 0.065], "p": 0.0004}
    assert paper_line("MATH-500", result) == "MATH-500 +4.2 pts [+1.9, +6.5], p = 0.0004"


def test_paired_difference_on_identical_tables_is_zero_with_p_one() -> None:
    rows = [{"correct": c} for c in A_GREEDY]
    result = paired_difference(list(zip(rows, rows, strict=True)), "accuracy", 0)
    assert (result["delta"], result["delta_ci"], result["p"]) == (0.0, [0.0, 0.0], 1.0)


def test_a_directory_that_is_no_suite_result_and_mixed_sides_are_config_errors(tmp_path: Path) -> None:
    suite = _suite_dir(tmp_path / "suite", "x", A_GREEDY, A_COUNTS, list(range(10)))
    table = tmp_path / "t.jsonl"
    table.write_text('{"correct": true}\n')
    (tmp_path / "empty").mkdir()
    for a, b, key, rule in (
        (tmp_path / "empty", suite, "a", "holds no suite_summary.json"),
        (suite, table, "b", "one side is a suite result and the other a single eval table"),
    ):
        with pytest.raises(ConfigValidationError) as err:
            validate_config(compose_config(["mode=compare", f"a={a}", f"b={b}"]), modes=MODES)
        (issue,) = err.value.issues
        assert issue.key == key and rule in issue.rule
