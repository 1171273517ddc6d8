"""``mode=train`` with ``eval.suite=<name>``: the benchmark suite on the policy before and after training, paired.

    python run_pipeline.py experiment=smoke eval.suite=gsm8k_std eval.suite.benchmarks.gsm8k.path=<test.jsonl>

The suite is evaluated exactly as ``mode=eval eval.suite=<name>`` evaluates it (:func:`rlvr.modes.suite.evaluate_suite`):
on the policy before the first optimizer step (the baseline, step 0) into ``suite_before/``, and on the final
policy — the one saved to ``final_model`` and evaluated as ``after`` — into ``suite_after/``. Each folder is a
whole suite result (``suite/<benchmark>.{jsonl,md}``, ``suite_summary.{json,md,png}``), so
``mode=compare a=<run>/suite_before b=<run>/suite_after`` reads them; the run itself writes that comparison to
``suite_compare.json`` and ``suite_compare.md`` (:mod:`rlvr.evaluation.suite_compare`, shared with
``mode=compare``) and prints the lines to paste. The in-training periodic eval stays on the data's eval split.

No baseline is evaluated when ``eval.before_training=false`` (nothing after training with
``eval.after_training=false``; nothing at all with ``eval.enabled=false``), or on a resumed run (whose policy at this point
is not the one training continues from); a resumed run compares against the ``suite_before/`` its first part
wrote, when there is one. A run stopped by a signal evaluates nothing after training. Each case is said on the
console and in the run report's ``suite`` entry (:func:`skipped`), never filled with figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rlvr.console import say
from rlvr.evaluation.suite_compare import SUITE_SUMMARY, compare_suites, report_suite_comparison
from rlvr.interfaces import Observer, TrainResult
from rlvr.modes.suite import evaluate_suite
from rlvr.run_dir import RunDir

#: The suite result before training (the baseline, step 0) and after it, each a folder of the run dir.
BEFORE, AFTER = "suite_before", "suite_after"
#: The paired comparison after − before: mode=compare's compare_report.json and compare_summary.md.
COMPARISON = ("suite_compare.json", "suite_compare.md")


def resumes(cfg: DictConfig, run_dir: RunDir) -> bool:
    """Whether training will continue from a checkpoint: ``train.resume_from_checkpoint`` names one, or is
    ``auto`` with checkpoints in the run's ``checkpoints/`` (the training loop picks which and checks it)."""
    from rlvr.training.resume import AUTO, checkpoints

    value = cfg.train.get("resume_from_checkpoint")
    if value in (None, "", False):
        return False
    return value != AUTO or bool(checkpoints(run_dir.path / "checkpoints"))


def suite_before_training(
    cfg: DictConfig, run_dir: RunDir, policy: tuple[Any, Any], observer: Observer, resumed: bool
) -> dict[str, Any]:
    """The run report's ``suite`` entry with its ``before``: the suite evaluated on the policy before the
    first step into ``suite_before/``, or why it was not."""
    name = str(cfg.eval.suite.name)
    if resumed:
        kept = (run_dir.path / BEFORE / SUITE_SUMMARY).is_file()
        before = skipped(
            "a resumed run: its policy before training is not the one training continues from; "
            + (
                "the first part's suite_before/ is the baseline"
                if kept
                else "no suite_before/ to compare with"
            ),
            kept=kept,
        )
    elif off := switched_off(cfg, "before_training"):
        before = skipped(f"{off}: no baseline, so no comparison after training")
    else:
        folder = RunDir(run_dir.path / BEFORE, writer=run_dir.writer)
        loaded = f"{cfg.model.model_name_or_path} at step 0"
        before = evaluate_suite(cfg, folder, (*policy, loaded), observer, step=0, tag=BEFORE)
    if "skipped" in before:
        say(f"suite {name}: not evaluated before training ({before['skipped']})")
    return {"name": name, "before": before}


def suite_after_training(
    cfg: DictConfig,
    run_dir: RunDir,
    policy: tuple[Any, Any],
    observer: Observer,
    step: int,
    entry: dict[str, Any],
) -> dict[str, Any]:
    """``entry`` with the suite evaluated on the final policy into ``suite_after/`` and, when there is a
    baseline, the comparison after − before (written to :data:`COMPARISON`, its lines printed)."""
    if off := switched_off(cfg, "after_training"):
        say(f"suite {entry['name']}: not evaluated after training ({off})")
        return {**entry, "after": skipped(off)}
    folder = RunDir(run_dir.path / AFTER, writer=run_dir.writer)
    loaded = f"{cfg.model.model_name_or_path} at step {step}"
    entry = {**entry, "after": evaluate_suite(cfg, folder, (*policy, loaded), observer, step, tag=AFTER)}
    before = entry["before"]
    if "skipped" in before and not before.get("kept"):
        say(f"suite {entry['name']}: no baseline, so no comparison ({before['skipped']})")
        return entry
    if not run_dir.writer:  # the suite results are on the writer's disk only
        return entry
    paths = [Path(run_dir.path / side / SUITE_SUMMARY) for side in (BEFORE, AFTER)]
    comparison = compare_suites(*paths, int(cfg.eval.bootstrap_samples), int(cfg.eval.seed))
    report_suite_comparison(comparison, run_dir, *COMPARISON)
    return {**entry, "comparison": comparison}


def switched_off(cfg: DictConfig, key: str) -> str | None:
    """``eval.enabled=false`` or ``eval.<key>=false`` when either switches this evaluation off, else None."""
    for name in ("enabled", key):
        if not cfg.eval.get(name, True):
            return f"eval.{name}=false"
    return None


def skipped(reason: str, **facts: Any) -> dict[str, Any]:
    """A suite evaluation that did not run: the reason instead of figures."""
    return {"skipped": reason, **facts}


def suite_interrupted(entry: dict[str, Any] | None, trained: TrainResult) -> dict[str, Any] | None:
    """``entry`` of a run a signal stopped: no suite after training (the policy is a checkpoint to resume)."""
    if entry is None:
        return None
    reason = f"stopped by {trained.interrupted} after step {trained.global_step}: the suite runs after training, when the run is resumed"
    say(f"suite {entry['name']}: not evaluated after training ({reason})")
    return {**entry, "after": skipped(reason)}


def suite_seconds(entry: dict[str, Any] | None) -> float:
    """Seconds the suite took before and after training (0 for a side that did not run), counted in the
    run report's ``eval_time`` beside the evaluator's own evaluations."""
    if entry is None:
        return 0.0
    return sum(float(entry.get(side, {}).get("seconds", 0.0)) for side in ("before", "after"))
