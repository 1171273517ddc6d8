"""The run in numbers, from the metric stream: ``summary.json``, ``summary.md`` and the console table.

Tokens generated = Σ over logging steps of ``completions/mean_length`` × completions per step (from the
trainer's batch shape); throughput divides that by Σ ``step_time`` (generation and the update together,
as TRL measures a step). Peak GPU memory is the largest ``gpu/peak_memory_gib`` a step logged. Accuracy is
read from the eval records' tags (``before``/``after``; the last ``periodic`` point, as ``step N``, when no
final one ran); a suite evaluation's headline per benchmark gets a row of its own; the best checkpoint
from ``eval_report.json`` when the evaluation saved one. How the job ended and its wall time are added by
:func:`rlvr.ending.record_ending` (the ``ended`` row) once the job is over.
"""

from __future__ import annotations

import json
from typing import Any

from rlvr.run_dir import FILES, RunDir

#: The step-log key of :mod:`rlvr.training.gpu_memory` (not imported: observers stay free of training code).
GPU_PEAK = "gpu/peak_memory_gib"
#: Step-log keys of :mod:`rlvr.training.lean_step` and :mod:`rlvr.training.dynamic_sampling` averaged
#: over the run's steps into the summary (what the training step forwarded, and how much of it was waste).
STEP_MEANS = {
    "train/tokens_forwarded": "tokens_forwarded_per_step",
    "train/real_tokens": "real_tokens_per_step",
    "train/pad_fraction": "pad_fraction",
    "train/prompt_repeat_fraction": "prompt_repeat_fraction",
    "train/fwd_bwd_seconds": "fwd_bwd_s_per_step",
    "train/mfu": "mfu_percent",
    "sampling/kept_fraction": "sampling_kept_fraction",
}


def build_summary(
    records: list[dict[str, Any]],
    alarms: list[dict[str, Any]],
    run_dir: RunDir,
    wall_time_s: float,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary dict (JSON-ready) for the records a run logged."""
    setup = next((r for r in records if r.get("kind") == "setup"), {})
    steps = [r for r in records if r.get("kind") == "train" and "loss" in r]
    per_step = setup.get("completions_per_step") or 0
    tokens = sum((r.get("completions/mean_length") or 0) * per_step for r in steps)
    step_time = sum(r.get("step_time") or 0 for r in steps)
    summary: dict[str, Any] = {
        "steps": steps[-1]["step"] if steps else 0,
        "max_steps": setup.get("max_steps"),
        "wall_time_s": round(wall_time_s, 1),
        "tokens_generated": round(tokens) if per_step else None,
        "generated_tok_per_s": round(tokens / step_time, 1) if per_step and step_time else None,
        "final_reward": steps[-1].get("reward") if steps else None,
        "peak_gpu_memory_gib": max((r[GPU_PEAK] for r in steps if r.get(GPU_PEAK) is not None), default=None),
        "accuracy": _accuracy(records),
        "best_checkpoint": _best_checkpoint(run_dir),
        "alarms": [a["message"] for a in alarms],
    }
    summary["training_step"] = _step_means(steps)
    summary |= {k: v for k, v in (extra or {}).items() if not k.startswith("eval/")}
    summary["files"] = {name: str(run_dir.path / name) for name in _present(run_dir)}
    return summary


def _step_means(steps: list[dict[str, Any]]) -> dict[str, float]:
    """Mean of each :data:`STEP_MEANS` key over the steps that logged it."""
    means = {}
    for key, name in STEP_MEANS.items():
        values = [r[key] for r in steps if isinstance(r.get(key), (int, float))]
        if values:
            means[name] = round(sum(values) / len(values), 4)
    return means


def _accuracy(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy per eval tag. Without an ``after`` evaluation the last in-training point is shown as
    ``step N``: never as ``after``, which a run that died at step 1 would then claim from its step-0 point."""
    found: dict[str, Any] = {}
    last_periodic: dict[str, Any] | None = None
    for record in records:
        if record.get("kind") == "eval" and record.get("eval/accuracy") is not None:
            if record.get("tag") == "periodic":
                last_periodic = record
            else:
                found[str(record.get("tag") or "eval")] = record["eval/accuracy"]
    if "after" not in found and last_periodic is not None:
        found[f"step {last_periodic['step']}"] = last_periodic["eval/accuracy"]
    return found


def _best_checkpoint(run_dir: RunDir) -> Any:
    report_file = run_dir.path / "eval_report.json"
    if not report_file.is_file():
        return None
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    best = (report.get("periodic") or {}).get("best") or report.get("best")
    return best if isinstance(best, dict) else None


def _present(run_dir: RunDir) -> list[str]:
    names = []
    for name in FILES:
        if "<tag>" in name:
            prefix, suffix = name.split("<tag>")
            names += sorted(p.name for p in run_dir.path.glob(f"{prefix}*{suffix}"))
        elif (run_dir.path / name).exists():
            names.append(name)
    return names


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows for the console table and ``summary.md``."""
    accuracy = summary.get("accuracy") or {}
    suite = _suite_headlines(summary)
    ended = summary.get("ended")  # added by rlvr.ending when the job is over; the console line says it then
    rows = [("ended", ended["text"])] if ended else []
    rows += [
        ("steps", f"{summary['steps']}" + (f"/{summary['max_steps']}" if summary.get("max_steps") else "")),
        ("tokens generated", _text(summary.get("tokens_generated"))),
        ("generated tok/s", _text(summary.get("generated_tok_per_s"))),
        ("final reward", _text(summary.get("final_reward"))),
        (
            "peak GPU memory",
            f"{summary['peak_gpu_memory_gib']} GiB" if summary.get("peak_gpu_memory_gib") else "—",
        ),
        ("accuracy", " → ".join(f"{t} {_text(v)}" for t, v in accuracy.items()) or _unmeasured(suite)),
    ]
    rows += [(f"suite {name}", f"{headline} {_text(value)}") for (name, headline), value in suite.items()]
    step = summary.get("training_step") or {}
    if "tokens_forwarded_per_step" in step:
        rows.append(
            (
                "training step",
                f"{step['tokens_forwarded_per_step']:.0f} tokens forwarded per step, "
                f"{step.get('pad_fraction', 0):.1%} padding, {step.get('prompt_repeat_fraction', 0):.1%} "
                "repeated prompts" + (f", MFU {step['mfu_percent']:.1f} %" if "mfu_percent" in step else ""),
            )
        )
    if "sampling_kept_fraction" in step:
        rows.append(("dynamic sampling", f"{step['sampling_kept_fraction']:.1%} of generated groups kept"))
    if summary.get("best_checkpoint"):
        rows.append(("best checkpoint", json.dumps(summary["best_checkpoint"])))
    rows.append(("alarms", str(len(summary["alarms"])) if summary["alarms"] else "none"))
    rows += [(f"  {i}", message) for i, message in enumerate(summary["alarms"], start=1)]
    return rows


def _suite_headlines(summary: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """(benchmark, headline) → value of a suite evaluation (``suite/<name>/<headline>`` keys, passed to the
    observer's ``finish`` by :mod:`rlvr.modes.suite`): a suite's figures are its own rows, not the accuracy
    row's before → after."""
    found = {}
    for key, value in summary.items():
        parts = key.split("/")
        if len(parts) == 3 and parts[0] == "suite":
            found[(parts[1], parts[2])] = value
    return found


def _unmeasured(suite: dict[tuple[str, str], Any]) -> str:
    return "on the suite's benchmarks (below)" if suite else "not measured"


def summary_markdown(summary: dict[str, Any]) -> str:
    lines = ["# Run summary", "", "| | |", "|---|---|"]
    lines += [f"| {label.strip()} | {value} |" for label, value in summary_rows(summary)]
    lines += ["", "## Files", ""] + [f"- `{name}`: {path}" for name, path in summary["files"].items()]
    return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
