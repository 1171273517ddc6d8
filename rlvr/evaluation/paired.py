"""Two models on the same benchmark rows: the difference of the headline, its paired CI and an exact test.

    MATH-500 +4.2 pts [+1.9, +6.5], p = 0.0004

Rows are paired (the same problem under both models), so the interval is a bootstrap over per-row
differences — narrower than comparing two independent intervals — and the test is exact: McNemar's on
greedy verdicts, its generalisation (a sign-flip permutation test on the per-row difference of correct
counts, :func:`rlvr.evaluation.stats.sign_flip_exact`) on ``mean@k`` tables with the same k.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr.evaluation.stats import bootstrap_ci, mean, sign_flip_exact

Pair = tuple[dict[str, Any], dict[str, Any]]


def row_score(row: dict[str, Any], headline: str, samples: int) -> float:
    """A row's share of the headline: its greedy verdict, or its right samples over ``samples``."""
    return row["sampled_correct"] / samples if headline.startswith("mean@") else float(bool(row["correct"]))


def row_count(row: dict[str, Any], headline: str) -> int:
    """The integer the exact test permutes: 1/0 for a greedy verdict, the right samples for ``mean@k``."""
    return int(row["sampled_correct"]) if headline.startswith("mean@") else int(bool(row["correct"]))


def paired_difference(
    pairs: Sequence[Pair], headline: str, samples: int, resamples: int = 1000, seed: int = 42
) -> dict[str, Any]:
    """``b - a`` on the headline over paired rows: both values, the difference with its paired bootstrap
    CI, the exact test's p and its name, and the rows only one model got right (greedy)."""
    a = [row_score(x, headline, samples) for x, _ in pairs]
    b = [row_score(y, headline, samples) for _, y in pairs]
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    counts = [row_count(y, headline) - row_count(x, headline) for x, y in pairs]
    result: dict[str, Any] = {
        "metric": headline,
        "rows": len(pairs),
        "a": mean(a),
        "b": mean(b),
        "delta": mean(diffs),
        "delta_ci": list(bootstrap_ci(diffs, resamples, seed)),
        "p": sign_flip_exact(counts),
        "test": "exact sign-flip (paired permutation)" if headline.startswith("mean@") else "exact McNemar",
    }
    if not headline.startswith("mean@"):
        result["a_only_correct"] = sum(1 for c in counts if c < 0)
        result["b_only_correct"] = sum(1 for c in counts if c > 0)
    return result


def format_p(p: float) -> str:
    """``p = 0.0004``, ``p = 0.22``, ``p < 0.0001``: two significant digits, as papers print them."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.2g}"


def paper_line(title: str, result: dict[str, Any]) -> str:
    """The line to paste: ``MATH-500 +4.2 pts [+1.9, +6.5], p = 0.0004`` (``mean@k`` named when sampled)."""
    low, high = result["delta_ci"]
    metric = f" ({result['metric']})" if result["metric"] != "accuracy" else ""
    return (
        f"{title}{metric} {100 * result['delta']:+.1f} pts [{100 * low:+.1f}, {100 * high:+.1f}], "
        f"{format_p(result['p'])}"
    )


def comparison_markdown(comparison: dict[str, Any]) -> str:
    """Two suite results side by side: per benchmark both values, Δ with its paired CI, the exact test;
    then the lines to paste."""
    lines = [
        f"# {comparison['suite']}: b − a",
        "",
        f"a: {comparison['a_model']} ({comparison['a']})  ",
        f"b: {comparison['b_model']} ({comparison['b']})",
        "",
        "| benchmark | n | metric | a % | b % | Δ pts [95 % CI] | p | test |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in comparison["benchmarks"]:
        low, high = r["delta_ci"]
        lines.append(
            f"| {r['title']} | {r['rows']} | {r['metric']} | {100 * r['a']:.1f} | {100 * r['b']:.1f} | "
            f"{100 * r['delta']:+.1f} [{100 * low:+.1f}, {100 * high:+.1f}] | {r['p']:.2g} | {r['test']} |"
        )
    lines += ["", "To paste:", "", *[f"    {r['line']}" for r in comparison["benchmarks"]]]
    return "\n".join(lines) + "\n"
