"""From per-sample records to the numbers a report shows: rates, CIs, per-task rows, baseline → final.

Every figure is computed from the per-sample records (the same rows written to
``eval_samples_<tag>.jsonl``), so a table on disk can always be re-summarised and two tables compared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from rlvr.answers import parse_number
from rlvr.evaluation.stats import bootstrap_ci, majority_correct, mean, pass_at_k
from rlvr.interfaces import Judge

#: Row columns that name a task or answer type, in order of preference (a task mixture's ``task``, FinQA,
#: reasoning-gym, generic).
TASK_COLUMNS = ("task", "answer_type", "rg_task", "type", "source")


def task_of(row: dict[str, Any]) -> str | None:
    """The row's task for the per-task breakdown: a task column, or a reasoning-gym entry's
    ``metadata.source_dataset`` (composite datasets mix tasks); None when the data has no such column."""
    for column in TASK_COLUMNS:
        if row.get(column) not in (None, ""):
            return str(row[column])
    if isinstance(row.get("rg_entry"), str):
        try:
            source = (json.loads(row["rg_entry"]).get("metadata") or {}).get("source_dataset")
        except (ValueError, AttributeError):
            return None
        return None if source is None else str(source)
    return None


def sample_record(
    index: int,
    row: dict[str, Any],
    completion: str,
    length: int,
    max_new_tokens: int,
    judge: Judge,
    format_check: Callable[[str], bool],
) -> dict[str, Any]:
    """One eval table row. ``id`` is the row's ``id`` column or its position in the eval split;
    ``answer`` is the gold (the column name ``mode=score`` reads); ``truncated`` means generation hit
    ``max_new_tokens`` without ending. With several tasks, the row's own task judge decides."""
    judge = judge.for_row(row)
    record = {
        "id": row.get("id") or index,
        "question": row.get("question"),
        "answer": row["answer"],
        "completion": completion,
        "extracted": judge.extract(completion),
        "correct": bool(judge.is_correct(completion, row)),
        "completion_tokens": length,
        "truncated": length >= max_new_tokens,
        "format_ok": bool(format_check(completion)),
    }
    if (task := task_of(row)) is not None:
        record["task"] = task
    return record


def greedy_summary(samples: list[dict[str, Any]], resamples: int, seed: int) -> dict[str, Any]:
    """Accuracy (with its bootstrap CI), format compliance, length, truncation, and ``by_task``."""
    correct = [float(s["correct"]) for s in samples]
    summary: dict[str, Any] = {
        "accuracy": mean(correct),
        "accuracy_ci": list(bootstrap_ci(correct, resamples, seed)),
        "correct": int(sum(correct)),
        "total": len(samples),
        "format_rate": mean([float(s["format_ok"]) for s in samples]),
        "mean_completion_tokens": mean([s["completion_tokens"] for s in samples]),
        "truncation_rate": mean([float(s["truncated"]) for s in samples]),
    }
    tasks = sorted({s["task"] for s in samples if "task" in s})
    if tasks:
        summary["by_task"] = {}
        for task in tasks:
            flags = [float(s["correct"]) for s in samples if s.get("task") == task]
            summary["by_task"][task] = {
                "accuracy": mean(flags),
                "accuracy_ci": list(bootstrap_ci(flags, resamples, seed)),
                "total": len(flags),
            }
    return summary


def _vote_key(extracted: str | None) -> Any:
    """Answers vote by value: ``1,250`` and ``1250.0`` are one answer; text answers by their words."""
    if extracted is None:
        return None
    number = parse_number(extracted)
    return number if number is not None else " ".join(extracted.lower().split()) or None


def sampled_columns(verdicts: list[tuple[str | None, bool]], ks: Sequence[int]) -> dict[str, Any]:
    """Per-problem columns from its sampled (extracted, correct) pairs: ``sampled_correct`` and ``maj@k``."""
    answers = [_vote_key(extracted) for extracted, _ in verdicts]
    flags = [right for _, right in verdicts]
    columns: dict[str, Any] = {"sampled_correct": sum(flags)}
    columns.update({f"maj@{k}": majority_correct(answers, flags, k) for k in ks})
    return columns


def row_values(samples: list[dict[str, Any]], metric: str, n: int = 0) -> list[float]:
    """A metric's per-row values (their mean is the metric), so any metric gets a (paired) bootstrap."""
    if metric.startswith("pass@"):
        return [pass_at_k(n, s["sampled_correct"], int(metric[5:])) for s in samples]
    if metric.startswith("mean@"):  # the share of the n samples that are right (mean@n = pass@1)
        return [s["sampled_correct"] / n for s in samples]
    column = {"accuracy": "correct", "format_rate": "format_ok", "truncation_rate": "truncated"}
    return [float(s[column.get(metric, metric)]) for s in samples]


def sampled_summary(
    samples: list[dict[str, Any]], n: int, ks: Sequence[int], resamples: int, seed: int
) -> dict[str, Any]:
    """``mean@n`` (the accuracy of one sample, averaged over the ``n`` per problem: what papers report for
    AIME as "avg@n"), ``pass@k`` (unbiased) and ``maj@k`` over problems, each with a bootstrap CI."""
    summary: dict[str, Any] = {"samples_per_problem": n}
    for metric in [f"mean@{n}", *[f"{kind}@{k}" for kind in ("pass", "maj") for k in ks]]:
        values = row_values(samples, metric, n)
        summary[metric] = mean(values)
        summary[f"{metric}_ci"] = list(bootstrap_ci(values, resamples, seed))
    return summary


def compared_metrics(report: dict[str, Any]) -> list[str]:
    """The metrics of a report that ``compare_reports`` puts side by side."""
    sampled = [
        key for key in report if key.startswith(("mean@", "pass@", "maj@")) and not key.endswith("_ci")
    ]
    return ["accuracy", *sampled, "format_rate", "truncation_rate"]


def compare_reports(
    before: dict[str, Any] | None, after: dict[str, Any] | None, resamples: int, seed: int
) -> dict[str, Any]:
    """``{metric: {before, after, delta, delta_ci, text}}``: "baseline → final (Δ, CI)". The CI of Δ is a
    paired bootstrap over rows when both reports hold the same rows (the usual case), else only the
    final value's CI is given. With one report, its values and CIs alone."""
    if after is None:
        return {}
    n = after.get("samples_per_problem", 0)
    paired = before is not None and [s["id"] for s in before["samples"]] == [
        s["id"] for s in after["samples"]
    ]
    comparison = {}
    for metric in compared_metrics(after):
        final = row_values(after["samples"], metric, n)
        entry: dict[str, Any] = {"after": mean(final)}
        if before is not None and metric in before:
            entry["before"] = before[metric]
            entry["delta"] = entry["after"] - entry["before"]
        if paired and before is not None and metric in before:
            start = row_values(before["samples"], metric, before.get("samples_per_problem", 0))
            diffs = [b - a for a, b in zip(start, final, strict=True)]
            entry["delta_ci"] = list(bootstrap_ci(diffs, resamples, seed))
            low, high = entry["delta_ci"]
            ci = f"95% CI [{low:+.3f}, {high:+.3f}]"
        else:
            low, high = entry["ci"] = list(bootstrap_ci(final, resamples, seed))
            ci = f"95% CI [{low:.3f}, {high:.3f}]"
        if "before" in entry:
            entry["text"] = f"{entry['before']:.3f} → {entry['after']:.3f} (Δ {entry['delta']:+.3f}, {ci})"
        else:
            entry["text"] = f"{entry['after']:.3f} ({ci})"
        comparison[metric] = entry
    return comparison
