"""The one evaluation service of the modes: evaluate a policy, keep its table, log it, summarise the run.

    python run_pipeline.py experiment=smoke                 # mode=train: tags before / after
    python run_pipeline.py experiment=smoke mode=eval model.model_name_or_path=<model>   # tag eval

``mode=train`` and ``mode=eval`` both call :func:`evaluate_policy`, so an evaluation means the same thing
wherever it runs: the reward set's judge and format check, the per-sample rows in
``eval_samples_<tag>.jsonl``, the summary and the table handed to the observer. What the train mode adds
around it — baseline → final, the in-training points and the best step, evaluation's share of the run's
time — is :func:`summarize_training`, returned as a value for the run report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rlvr.console import say
from rlvr.interfaces import Evaluator, Observer, RewardComponent
from rlvr.run_dir import RunDir


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of a policy: its tag (``before``, ``after``, ``eval``), the step it was taken at and
    the evaluator's report (``samples`` included)."""

    tag: str
    step: int
    result: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        """The report without its per-sample rows: what the run report and the observer keep."""
        return {key: value for key, value in self.result.items() if key != "samples"}

    @property
    def samples(self) -> list[dict[str, Any]]:
        return self.result["samples"]


def evaluate_policy(
    evaluator: Evaluator,
    policy: tuple[Any, Any],
    rows: Any,
    tag: str,
    rewards: RewardComponent,
    observer: Observer,
    run_dir: RunDir,
    step: int = 0,
) -> Evaluation:
    """Evaluate ``policy`` (model, tokenizer) on ``rows`` with the reward set's judge and format check;
    write the rows to ``eval_samples_<tag>.jsonl``, log the summary and the table at ``step``."""
    model, tokenizer = policy
    result = evaluator.evaluate(model, tokenizer, rows, tag, rewards.judge(), rewards.format_check())
    evaluation = Evaluation(tag, step, result)
    run_dir.write_jsonl(f"eval_samples_{tag}.jsonl", evaluation.samples)
    observer.log_eval(evaluation.summary, step=step)
    observer.log_table(f"eval_samples/{tag}", evaluation.samples, step=step)
    return evaluation


def adopt_point(periodic: Any | None, evaluation: Evaluation | None) -> None:
    """Let the in-training eval take its point at the evaluation's step from a before/after evaluation of
    the same policy (its first rows are the periodic subset) instead of generating it again."""
    if periodic is not None and evaluation is not None:
        periodic.state.adopt(evaluation.step, evaluation.samples)


def print_comparison(comparison: dict[str, Any], summary: dict[str, Any]) -> None:
    """One console line per metric ("baseline → final (Δ, CI)"), then one per task."""
    for metric, entry in comparison.items():
        say(f"eval: {metric} {entry['text']}")
    for task, row in (summary.get("by_task") or {}).items():
        low, high = row["accuracy_ci"]
        say(
            f"eval: task {task}: accuracy {row['accuracy']:.3f} (95% CI [{low:.3f}, {high:.3f}], n={row['total']})"
        )


@dataclass(frozen=True)
class TrainingEvaluation:
    """What a training run's evaluations add up to (the run report's ``comparison``, ``periodic`` and
    ``eval_time``)."""

    comparison: dict[str, Any] | None
    periodic: dict[str, Any] | None
    eval_time: dict[str, float]


def summarize_training(
    evaluator: Evaluator,
    before: Evaluation | None,
    after: Evaluation | None,
    periodic: Any | None,
    started: float,
    other_seconds: float = 0.0,
) -> TrainingEvaluation:
    """Baseline → final per metric (Δ, CI), the in-training points and the best step (and where it was
    saved), and evaluation's share of the run's wall time; each printed too. ``other_seconds`` is evaluation
    outside the evaluator (a benchmark suite before and after training), counted in that share."""
    final = after or before
    comparison = None
    if final is not None:
        comparison = evaluator.compare(before.result if before and after else None, final.result)
        print_comparison(comparison, final.result)
    eval_seconds = other_seconds + sum(e.result["seconds"] for e in (before, after) if e is not None)
    points = None
    if periodic is not None:
        points = periodic.state.summary()
        eval_seconds += points["seconds"]
        best = points["best"]
        if best is not None:
            saved = f"; saved to {best['saved_to']}" if "saved_to" in best else ""
            steps = [point["step"] for point in points["points"]]
            say(f"eval: in-training points at steps {steps}; best step {best['step']} "
                f"({best['metric']} {best['value']:.3f}){saved}")  # fmt: skip
    run_seconds = time.perf_counter() - started
    share = round(eval_seconds / run_seconds, 4) if run_seconds > 0 else 0.0
    say(f"eval: {eval_seconds:.1f} s, {share:.0%} of the time so far")
    eval_time = {"eval_s": round(eval_seconds, 2), "run_s": round(run_seconds, 2), "share": share}
    return TrainingEvaluation(comparison, points, eval_time)
