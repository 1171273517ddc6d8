"""PNG charts of a run's ``metrics.jsonl``, one file per panel, several runs overlaid.

    draw_plots({"run-a": records_a, "run-b": records_b}, run_dir)   # → [(title, path), ...]

A panel is drawn only when some run logged its metric (KL only exists with ``train.beta > 0``; accuracy
only with eval rows). Eval accuracy gets error bars from ``eval/accuracy_ci`` (``[low, high]``) when the
evaluator reports a confidence interval. matplotlib runs headless (Agg) and is imported only here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rlvr.run_dir import RunDir

Records = list[dict[str, Any]]
#: (title, file stem, y label, keys or a regex over keys) — the panels, in the order they are drawn.
PANELS: tuple[tuple[str, str, str, Any], ...] = (
    ("reward (total and per function)", "reward", "reward", re.compile(r"^(reward|rewards/[^/]+/mean)$")),
    ("eval accuracy", "eval_accuracy", "accuracy", ("eval/accuracy",)),
    ("completion length", "completion_length", "tokens", ("completions/mean_length",)),
    ("clipped ratio (truncated completions)", "clipped_ratio", "fraction", ("completions/clipped_ratio",)),
    ("entropy", "entropy", "nats/token", ("entropy",)),
    ("KL to the reference", "kl", "KL", ("kl",)),
    ("learning rate", "learning_rate", "lr", ("learning_rate",)),
    ("rollout throughput", "throughput", "generated tokens/s", re.compile(r"tok(ens)?(_per_s|/s)")),
)


def read_records(path: Path) -> Records:
    """The records of a ``metrics.jsonl`` (a run dir or the file itself)."""
    path = path / "metrics.jsonl" if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no metrics.jsonl here; point input= at a run directory")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def draw_plots(runs: dict[str, Records], run_dir: RunDir, folder: str = "plots") -> list[tuple[str, Path]]:
    """Draw every panel some run has data for into ``<run_dir>/<folder>/<stem>.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    target = run_dir.file(folder)
    target.mkdir(exist_ok=True)
    series = {label: _with_throughput(records) for label, records in runs.items()}
    drawn = []
    for title, stem, ylabel, keys in PANELS:
        lines = [
            (label, key, points)
            for label, records in series.items()
            for key, points in _series(records, keys)
        ]
        if not lines or (stem == "kl" and not any(v for _, _, pts in lines for _, v, _ in pts)):
            continue
        figure, axes = plt.subplots(figsize=(6.4, 3.6))
        for label, key, points in lines:
            _draw(axes, points, f"{label}: {key}" if len(series) > 1 else key)
        axes.set(title=title, xlabel="step", ylabel=ylabel)
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
        figure.tight_layout()
        path = target / f"{stem}.png"
        figure.savefig(path, dpi=100)
        plt.close(figure)
        drawn.append((title, path))
    return drawn


def _series(records: Records, keys: Any) -> list[tuple[str, list[tuple[int, float, Any]]]]:
    """``(key, [(step, value, ci)])`` for each matching key with at least one number."""
    names = sorted(
        {k for r in records for k in r if (keys.search(k) if hasattr(keys, "search") else k in keys)}
    )
    found = []
    for key in names:
        for series, label in _EVAL_SERIES if key.startswith("eval/") else ((None, key),):
            points = [
                (r["step"], r[key], r.get("eval/accuracy_ci") if key == "eval/accuracy" else None)
                for r in records
                if isinstance(r.get(key), (int, float))
                and not isinstance(r.get(key), bool)
                and (series is None or (r.get("tag") == "periodic") == (series == "periodic"))
            ]
            if points:
                found.append((label if series is None else f"{key} ({label})", points))
    return found


#: Eval points on different rows are not one line: in-training points use a subset of the eval rows.
_EVAL_SERIES = (("periodic", "in training"), ("final", "before/after"))


def _draw(axes: Any, points: list[tuple[int, float, Any]], label: str) -> None:
    steps, values = [p[0] for p in points], [p[1] for p in points]
    cis = [p[2] for p in points]
    if all(isinstance(ci, (list, tuple)) and len(ci) == 2 for ci in cis):
        errors = [
            [v - ci[0] for v, ci in zip(values, cis, strict=True)],
            [ci[1] - v for v, ci in zip(values, cis, strict=True)],
        ]
        axes.errorbar(steps, values, yerr=errors, marker="o", capsize=3, label=label)
    else:
        axes.plot(steps, values, marker="o" if len(points) < 30 else None, label=label)


def _with_throughput(records: Records) -> Records:
    """Adds ``generated_tok_per_s`` per step (mean length × completions per step / step time) when the
    trainer's batch shape is known and no rollout throughput was logged."""
    setup = next((r for r in records if r.get("kind") == "setup"), {})
    per_step = setup.get("completions_per_step")
    out = []
    for record in records:
        length, seconds = record.get("completions/mean_length"), record.get("step_time")
        if per_step and length and seconds:
            record = {**record, "generated_tok_per_s": length * per_step / seconds}
        out.append(record)
    return out
