"""``mode=compare``: are two evaluation tables different beyond chance?

    python run_pipeline.py mode=compare a=outputs/<run>/eval_samples_before.jsonl b=outputs/<run>/eval_samples_after.jsonl

``a`` and ``b`` are per-sample eval tables (``eval_samples_*.jsonl`` of any run or ``mode=eval``): one JSON
object per line with ``correct``. Rows are matched by ``id`` when every row of both tables has one (rows
in only one table are left out and counted), else by line order. Prints each table's accuracy on the
matched rows, the exact McNemar test of the difference (a two-sided binomial test on the rows where
exactly one table is right: :func:`rlvr.evaluation.stats.mcnemar_exact`) and the rows that flipped;
writes the same to ``compare_report.json``.

    python run_pipeline.py mode=compare a=outputs/<base eval> b=outputs/<adapter eval>   # two suite results

``a`` and ``b`` may instead be two ``mode=eval eval.suite=<name>`` results (their run dirs, or their
``suite_summary.json``): each benchmark in both is compared on its headline (accuracy, or mean@k) with a
paired bootstrap CI of the difference and an exact test (:mod:`rlvr.evaluation.paired`), one line each to
paste ("MATH-500 +4.2 pts [+1.9, +6.5], p = 0.0004"); also ``compare_summary.md``. A training run with
``eval.suite`` writes two such results (``suite_before/``, ``suite_after/``) and this comparison of them
(:mod:`rlvr.evaluation.suite_compare`, shared with this mode).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rlvr.config.errors import ConfigIssue
from rlvr.console import say
from rlvr.evaluation.stats import mcnemar_exact
from rlvr.evaluation.suite_compare import (
    SUITE_SUMMARY,
    compare_suites,
    match_rows,
    read_table,
    report_suite_comparison,
    suite_summary,
)
from rlvr.modes.inputs import input_path_issue
from rlvr.paths import resolve_path
from rlvr.run_dir import RunDir

#: Flipped rows printed to the console (all of them go to the report).
SHOWN = 10


def input_issues(cfg: DictConfig) -> list[ConfigIssue]:
    """``a`` and ``b`` name two existing eval tables, or two suite results (run dirs holding
    ``suite_summary.json``), not one of each."""
    a, b = cfg.get("a"), cfg.get("b")
    issues, table = [], "eval_samples_*.jsonl"
    for key, value in (("a", a), ("b", b)):
        if issue := input_path_issue(key, value, "mode=compare needs two eval tables", f"<{table}>", table):
            issues.append(issue)
        elif Path(str(value)).is_dir() and not (Path(str(value)) / SUITE_SUMMARY).is_file():
            issues.append(
                ConfigIssue(
                    key,
                    value,
                    f"a directory to compare must be a suite result (it holds no {SUITE_SUMMARY})",
                    f"point {key}= at a mode=eval eval.suite=<name> run dir, or at an eval_samples_*.jsonl",
                )
            )
    suites = [bool(v) and Path(str(v)).is_dir() or str(v).endswith(SUITE_SUMMARY) for v in (a, b)]
    if not issues and suites[0] != suites[1]:
        issues.append(
            ConfigIssue(
                "b" if suites[0] else "a",
                b if suites[0] else a,
                "one side is a suite result and the other a single eval table",
                "compare two suite results (run dirs) or two eval_samples_*.jsonl tables",
            )
        )
    return issues


def compare_tables(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy of each table on the matched rows, the discordant counts, McNemar's p and the flips."""
    pairs, matched_by = match_rows(a, b)
    flipped = [
        {
            "id": x.get("id", i),
            "question": x.get("question"),
            "answer": x.get("answer"),
            "a_extracted": x.get("extracted"),
            "b_extracted": y.get("extracted"),
            "b_is": "right" if y["correct"] else "wrong",
        }
        for i, (x, y) in enumerate(pairs)
        if bool(x["correct"]) != bool(y["correct"])
    ]
    a_only = sum(1 for f in flipped if f["b_is"] == "wrong")
    total = len(pairs)
    return {
        "rows": total,
        "matched_by": matched_by,
        "a_accuracy": sum(bool(x["correct"]) for x, _ in pairs) / total if total else 0.0,
        "b_accuracy": sum(bool(y["correct"]) for _, y in pairs) / total if total else 0.0,
        "a_only_correct": a_only,
        "b_only_correct": len(flipped) - a_only,
        "mcnemar_p": mcnemar_exact(a_only, len(flipped) - a_only),
        "flipped": flipped,
    }


def run_suites(cfg: DictConfig, run_dir: RunDir, a: Path, b: Path) -> dict[str, Any]:
    """mode=compare on two suite results: print one line per benchmark; write the report and summary."""
    result = compare_suites(a, b, int(cfg.eval.bootstrap_samples), int(cfg.eval.seed))
    report_suite_comparison(result, run_dir)
    return result


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Compare tables ``cfg.a`` and ``cfg.b``; print and return the result (``compare_report.json``)."""
    paths = {side: resolve_path(str(cfg.get(side))) for side in ("a", "b")}
    suites = [suite_summary(path) for path in paths.values()]
    if suites[0] is not None and suites[1] is not None:
        return run_suites(cfg, run_dir, suites[0], suites[1])
    result = {"a": str(paths["a"]), "b": str(paths["b"])}
    result.update(compare_tables(read_table(paths["a"]), read_table(paths["b"])))
    say(f"compare: {result['rows']} rows matched by {result['matched_by']}")
    say(f"compare: a {result['a_accuracy']:.3f} ({paths['a']})")
    say(f"compare: b {result['b_accuracy']:.3f} ({paths['b']})")
    say(
        f"compare: Δ {result['b_accuracy'] - result['a_accuracy']:+.3f}; only a right: "
        f"{result['a_only_correct']}, only b right: {result['b_only_correct']}; "
        f"exact McNemar p = {result['mcnemar_p']:.4g}"
    )
    for flip in result["flipped"][:SHOWN]:
        say(
            f"compare: id {flip['id']}: b {flip['b_is']} (gold {flip['answer']!r}; "
            f"a read {flip['a_extracted']!r}, b read {flip['b_extracted']!r})"
        )
    if len(result["flipped"]) > SHOWN:
        say(f"compare: … {len(result['flipped']) - SHOWN} more flipped rows in compare_report.json")
    run_dir.write_json("compare_report.json", result)
    return result
