"""Two evaluations of the same rows, paired: the tables read, their rows matched, two suite results compared.

    python run_pipeline.py mode=compare a=outputs/base b=outputs/trained       # two suite results
    python run_pipeline.py eval.suite=gsm8k_std experiment=smoke               # suite_before vs suite_after

``mode=compare`` and a training run with ``eval.suite`` both compare suite results through
:func:`compare_suites` and report them through :func:`report_suite_comparison`, so the training run's
``suite_compare.json`` is what ``mode=compare a=<run>/suite_before b=<run>/suite_after`` writes to
``compare_report.json``. The statistics are :mod:`rlvr.evaluation.paired`'s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rlvr.console import say, warn
from rlvr.errors import DataError
from rlvr.evaluation.paired import comparison_markdown, paired_difference, paper_line
from rlvr.jsonl import json_objects
from rlvr.run_dir import RunDir

#: What a suite evaluation writes about its benchmarks (rlvr.evaluation.suite_report).
SUITE_SUMMARY = "suite_summary.json"


def read_table(path: Path) -> list[dict[str, Any]]:
    """The records of an eval table; a line that is not one is a DataError naming ``file:line`` and the fix."""
    records = []
    for number, record in json_objects(path, "one JSON object per line, as in a run's eval_samples_*.jsonl"):
        if "correct" not in record:
            raise DataError(
                f"{path}:{number}: a record needs a `correct` field. Fix: compare eval tables "
                "(a run's eval_samples_*.jsonl rows)"
            )
        records.append(record)
    return records


def match_rows(
    a: list[dict[str, Any]], b: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], str]:
    """Pairs of rows about the same problem, and how they were matched (``id`` or ``line order``)."""
    if a and b and all("id" in r for r in a) and all("id" in r for r in b):
        by_id = {r["id"]: r for r in b}
        pairs = [(r, by_id[r["id"]]) for r in a if r["id"] in by_id]
        if len(pairs) < max(len(a), len(b)):
            warn(f"compare: {len(a) - len(pairs)} rows of a and {len(b) - len(pairs)} of b have no partner")
        return pairs, "id"
    if len(a) != len(b):
        warn(f"compare: a has {len(a)} rows and b {len(b)}; comparing the first {min(len(a), len(b))}")
    return list(zip(a, b, strict=False)), "line order"


def suite_summary(path: Path) -> Path | None:
    """The ``suite_summary.json`` of a suite result given as its run dir or the file itself; else None."""
    candidate = path / SUITE_SUMMARY if path.is_dir() else path
    return candidate if candidate.name == SUITE_SUMMARY and candidate.is_file() else None


def compare_suites(a: Path, b: Path, resamples: int = 1000, seed: int = 42) -> dict[str, Any]:
    """Each benchmark of suite summary ``a`` that ``b`` also has: its headline under both, paired."""
    summaries = [json.loads(path.read_text(encoding="utf-8")) for path in (a, b)]
    theirs = {entry["name"]: entry for entry in summaries[1]["benchmarks"]}
    result: dict[str, Any] = {"suite": summaries[0]["suite"], "a": str(a.parent), "b": str(b.parent)}
    result |= {"a_model": summaries[0].get("model"), "b_model": summaries[1].get("model"), "benchmarks": []}
    for entry in summaries[0]["benchmarks"]:
        other = theirs.get(entry["name"])
        if other is None:
            warn(f"compare: benchmark {entry['name']} is only in a; left out")
            continue
        headline, samples = entry["headline"], entry["samples"]
        if (other["headline"], other["samples"]) != (headline, samples):  # different k: greedy is shared
            warn(f"compare: {entry['name']}: a reports {headline}, b {other['headline']}; comparing accuracy")
            headline, samples = "accuracy", 0
        pairs, matched_by = match_rows(
            read_table(a.parent / entry["table"]), read_table(b.parent / other["table"])
        )
        paired = paired_difference(pairs, headline, samples, resamples, seed)
        paired |= {"name": entry["name"], "title": entry["title"], "matched_by": matched_by}
        paired["line"] = paper_line(entry["title"], paired)
        result["benchmarks"].append(paired)
    return result


def report_suite_comparison(
    result: dict[str, Any],
    run_dir: RunDir,
    report: str = "compare_report.json",
    table: str = "compare_summary.md",
) -> None:
    """Print one line per benchmark (the line to paste, its test and n); write the result as JSON
    (``report``) and as the markdown table (``table``)."""
    say(f"compare: suite {result['suite']}, b − a ({result['b_model']} vs {result['a_model']})")
    for entry in result["benchmarks"]:
        say(f"compare: {entry['line']} ({entry['test']}, {entry['rows']} rows)")
    run_dir.write_json(report, result)
    run_dir.write_text(table, comparison_markdown(result))
