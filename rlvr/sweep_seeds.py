"""Statistics over seeds for a sweep: is a difference between two configurations larger than seed noise?

    python run_pipeline.py -m seed=1,2,3 train.learning_rate=1e-5,3e-5 ...
    # sweep_summary.md then also holds, per configuration (the overrides other than seed=), each figure's
    # mean over its seeds with a Student-t 95 % interval, and each configuration against the first one
    # over the seeds both ran: the mean paired difference, its t interval and the paired t-test's p

One RL run is one draw: two configurations' curves can differ by seed alone. Pairing by seed removes what
the seed does to both (the same data order and initial samples), so the paired interval is the honest
one. Jobs that did not end ``ok`` or measured no figure are left out of the statistics (and counted).
"""

from __future__ import annotations

from typing import Any

from rlvr.evaluation.stats import mean_t_interval, paired_t

#: The figures of a job row aggregated over seeds.
FIGURES = ("accuracy_after", "accuracy_before", "final_reward")


def split_seed(overrides: str, common: frozenset[str] = frozenset()) -> tuple[str, str | None]:
    """A job's overrides as (its configuration: the overrides other than ``seed=`` and those every job
    shares, without Hydra's ``+``/``++``; its seed or None)."""
    parts = [part.lstrip("+") for part in overrides.split()]
    seeds = [part.split("=", 1)[1] for part in parts if part.startswith("seed=")]
    rest = " ".join(part for part in parts if not part.startswith("seed=") and part not in common)
    return rest or "(the common settings)", seeds[0] if seeds else None


def seed_groups(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{configuration: {seed: job row}}`` of the ok jobs that name a seed, in job order; a configuration
    is named by the overrides that set it apart (those all jobs share are left out)."""
    ok = [row for row in rows if row.get("status") == "ok"]
    shared = [{part.lstrip("+") for part in str(row.get("overrides") or "").split()} for row in ok]
    common = frozenset(set.intersection(*shared)) if shared else frozenset()
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for row in ok:
        config, seed = split_seed(str(row.get("overrides") or ""), common)
        if seed is not None:
            groups.setdefault(config, {})[seed] = row
    return groups


def seed_statistics(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Per configuration, each figure's mean and t interval over seeds; each configuration against the
    first over matched seeds. None unless some configuration ran with two seeds or more."""
    groups = seed_groups(rows)
    if not any(len(seeds) >= 2 for seeds in groups.values()):
        return None
    configurations = []
    for config, seeds in groups.items():
        entry: dict[str, Any] = {"configuration": config, "seeds": list(seeds)}
        for figure in FIGURES:
            values = [row[figure] for row in seeds.values() if isinstance(row.get(figure), int | float)]
            if values:
                centre, low, high = mean_t_interval(values)
                entry[figure] = {"mean": centre, "low": low, "high": high, "n": len(values)}
        configurations.append(entry)
    baseline, *others = list(groups)
    comparisons = [compare_over_seeds(groups[baseline], groups[other], baseline, other) for other in others]
    return {"configurations": configurations, "paired": [c for c in comparisons if c["figures"]]}


def compare_over_seeds(
    a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]], a_name: str, b_name: str
) -> dict[str, Any]:
    """``b - a`` per figure over the seeds both configurations ran (and measured)."""
    matched = [seed for seed in a if seed in b]
    result: dict[str, Any] = {"a": a_name, "b": b_name, "seeds": matched, "figures": {}}
    for figure in FIGURES:
        pairs = [
            (a[s][figure], b[s][figure])
            for s in matched
            if isinstance(a[s].get(figure), int | float) and isinstance(b[s].get(figure), int | float)
        ]
        if len(pairs) >= 2:
            result["figures"][figure] = paired_t([x for x, _ in pairs], [y for _, y in pairs])
    return result


def _interval(stat: dict[str, Any] | None) -> str:
    if not stat:
        return "—"
    if stat["n"] < 2:
        return f"{stat['mean']:.4g} (n=1)"
    return f"{stat['mean']:.4g} [{stat['low']:.4g}, {stat['high']:.4g}] (n={stat['n']})"


def seed_markdown(stats: dict[str, Any]) -> str:
    """The two tables that follow the job table in ``sweep_summary.md``."""
    lines = [
        "",
        "## Over seeds: mean [95 % CI, Student t]",
        "",
        "| configuration | seeds | " + " | ".join(FIGURES) + " |",
        "|---|---|" + "---|" * len(FIGURES),
    ]
    for entry in stats["configurations"]:
        cells = [_interval(entry.get(figure)) for figure in FIGURES]
        lines.append(
            f"| {entry['configuration']} | {', '.join(entry['seeds'])} | " + " | ".join(cells) + " |"
        )
    if stats["paired"]:
        lines += [
            "",
            "## Paired over matched seeds: b − a, mean [95 % CI], paired t-test",
            "",
            "| a | b | seeds | figure | Δ [95 % CI] | p |",
            "|---|---|---|---|---|---|",
        ]
        for comparison in stats["paired"]:
            for figure, r in comparison["figures"].items():
                p = "—" if r["p"] is None else f"{r['p']:.2g}"
                lines.append(
                    f"| {comparison['a']} | {comparison['b']} | {', '.join(comparison['seeds'])} | {figure} | "
                    f"{r['delta']:+.4g} [{r['low']:+.4g}, {r['high']:+.4g}] | {p} |"
                )
    return "\n".join(lines) + "\n"
