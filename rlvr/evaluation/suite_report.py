"""What a benchmark suite writes: one table per benchmark, and a summary as markdown, JSON and a chart.

    suite/<benchmark>.jsonl     every row: completion, extracted answer, verdict (+ sampled counts, harness scores)
    suite/<benchmark>.md        the benchmark's metrics, each with its 95 % CI
    suite_summary.json          per benchmark: its headline (accuracy, or mean@k when sampled) with CI, n, the rest
    suite_summary.md            the same as one table to paste
    suite_summary.png           the headlines as bars with their CIs

Every figure comes from the evaluator's report (:mod:`rlvr.evaluation.report`); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

from rlvr.evaluation.suite import Benchmark
from rlvr.run_dir import RunDir

#: Metrics a benchmark table lists, in order (those the report has; ``mean@k`` etc. found by prefix).
ORDER = (
    "accuracy",
    "mean@",
    "pass@",
    "maj@",
    "strict_match",
    "flexible_extract",
    "format_rate",
    "truncation_rate",
)
TITLES = {
    "accuracy": "greedy accuracy",
    "strict_match": "strict-match (lm-eval)",
    "flexible_extract": "flexible-extract (lm-eval)",
}


def metrics_of(report: dict[str, Any]) -> list[str]:
    """The rate metrics of an evaluator report (each has a ``_ci``), in :data:`ORDER`."""
    found = [key for key in report if f"{key}_ci" in report]
    return sorted(
        found, key=lambda key: next((i for i, p in enumerate(ORDER) if key.startswith(p)), len(ORDER))
    )


def benchmark_entry(benchmark: Benchmark, report: dict[str, Any], source: str) -> dict[str, Any]:
    """The summary entry of one benchmark: its headline with CI, the other metrics, where its rows came from."""
    headline = benchmark.headline
    return {
        "name": benchmark.name,
        "title": benchmark.label,
        "headline": headline,
        "value": report[headline],
        "ci": report[f"{headline}_ci"],
        "rows": report["total"],
        "samples": benchmark.samples,
        "judge": report["judge"],
        "source": source,
        "table": f"suite/{benchmark.name}.jsonl",
        "seconds": report["seconds"],
        "metrics": {key: {"value": report[key], "ci": report[f"{key}_ci"]} for key in metrics_of(report)},
        "mean_completion_tokens": report["mean_completion_tokens"],
        "format_rate": report["format_rate"],
        "truncation_rate": report["truncation_rate"],
        **({"by_task": report["by_task"]} if "by_task" in report else {}),
    }


def percent(value: float, ci: list[float]) -> str:
    """``41.2 [38.0, 44.6]``: a rate and its CI in percent."""
    return f"{100 * value:.1f} [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def benchmark_markdown(entry: dict[str, Any]) -> str:
    """One benchmark's table: every metric with its CI, in percent."""
    lines = [
        f"# {entry['title']}",
        "",
        f"{entry['rows']} problems from {entry['source']}; judge: {entry['judge']}; "
        f"answers: {entry['mean_completion_tokens']:.0f} tokens on average, {100 * entry['format_rate']:.1f} % "
        f"in the prompt's format, {100 * entry['truncation_rate']:.1f} % truncated; {entry['seconds']:.0f} s.",
        "",
        "| metric | % | 95 % CI |",
        "|---|---|---|",
    ]
    for key, metric in entry["metrics"].items():
        low, high = metric["ci"]
        lines.append(
            f"| {TITLES.get(key, key)} | {100 * metric['value']:.1f} | [{100 * low:.1f}, {100 * high:.1f}] |"
        )
    for task, row in (entry.get("by_task") or {}).items():
        low, high = row["accuracy_ci"]
        lines.append(
            f"| accuracy, task {task} (n={row['total']}) | {100 * row['accuracy']:.1f} | [{100 * low:.1f}, {100 * high:.1f}] |"
        )
    return "\n".join(lines) + "\n"


def summary_markdown(summary: dict[str, Any]) -> str:
    """The suite as one table: per benchmark its headline with CI, n, and the other figures it reports."""
    lines = [
        f"# {summary['suite']}: {summary['model']}",
        "",
        "| benchmark | n | metric | % [95 % CI] | also |",
        "|---|---|---|---|---|",
    ]
    for entry in summary["benchmarks"]:
        also = [
            f"{TITLES.get(key, key)} {percent(m['value'], m['ci'])}"
            for key, m in entry["metrics"].items()
            if key != entry["headline"] and not key.endswith("_rate") and not key.startswith("maj@")
        ]
        lines.append(
            f"| {entry['title']} | {entry['rows']} | {entry['headline']} | "
            f"{percent(entry['value'], entry['ci'])} | {'; '.join(also) or '—'} |"
        )
    return "\n".join(lines) + "\n"


def draw_summary(summary: dict[str, Any], run_dir: RunDir, name: str = "suite_summary.png") -> str | None:
    """The headlines as a bar chart with 95 % CI error bars; the path, or None when not written."""
    entries = summary["benchmarks"]
    if not entries or not run_dir.writer:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    values = [100 * e["value"] for e in entries]
    errors = [
        [100 * (e["value"] - e["ci"][0]) for e in entries],
        [100 * (e["ci"][1] - e["value"]) for e in entries],
    ]
    figure, axes = plt.subplots(figsize=(max(4.0, 1.2 * len(entries)), 3.6))
    axes.bar(range(len(entries)), values, yerr=errors, capsize=4, color="tab:blue")
    axes.set_xticks(range(len(entries)), [f"{e['title']}\n{e['headline']}" for e in entries], fontsize=8)
    axes.set_ylabel("% (95 % CI)")
    axes.set_title(f"{summary['suite']}: {summary['model']}"[:80], fontsize=9)
    figure.tight_layout()
    path = run_dir.file(name)
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return str(path)


def write_summary(summary: dict[str, Any], run_dir: RunDir) -> None:
    """``suite_summary.json``, ``.md`` and ``.png`` into the run dir."""
    summary["chart"] = draw_summary(summary, run_dir)
    run_dir.write_json("suite_summary.json", summary)
    run_dir.write_text("suite_summary.md", summary_markdown(summary))
