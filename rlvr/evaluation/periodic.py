"""Evaluation during training: greedy accuracy on a fixed eval subset at step 0 and every N steps.

A rising reward can hide falling accuracy (reward hacking); this callback measures accuracy the same way
as the final evaluation (same judge, same prompts, greedy), on the first ``eval.periodic_samples`` eval
rows, at step 0, every ``eval.every_n_steps`` optimizer steps and at the last step. Each point is logged
as ``eval/*`` through the observer (``tag: periodic``) and its rows are written to
``eval_samples_step<N>.jsonl``. The best point by ``eval.metric_for_best`` is tracked; with
``eval.best_model: best`` the policy is saved to ``best_model/`` each time it becomes the best.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rlvr.evaluation.report import greedy_summary
from rlvr.evaluation.sharding import eval_shard, shared_out
from rlvr.interfaces import Judge, Observer
from rlvr.run_dir import RunDir

#: Columns of an in-training table (an adopted before/after row also carries its sampled columns: dropped).
TABLE_COLUMNS = ("id", "question", "answer", "completion", "extracted", "correct", "completion_tokens")
TABLE_COLUMNS += ("truncated", "format_ok", "task")
#: Summary keys kept for each in-training point in the run report.
POINT_KEYS = ("accuracy", "accuracy_ci", "format_rate", "mean_completion_tokens", "truncation_rate", "total")


class PeriodicState:
    """What the callback measured: the points, the best one, and the seconds spent (for eval's share).
    ``evaluator`` is the :class:`rlvr.evaluation.greedy.GreedyAccuracy` that built the callback."""

    def __init__(
        self,
        evaluator: Any,
        tokenizer: Any,
        rows: Any,
        judge: Judge | None,
        observer: Observer,
        run_dir: RunDir,
        format_check: Callable[[str], bool] | None,
        save_best: Callable[[str], None] | None,
    ):
        self.evaluator, self.tokenizer, self.rows = evaluator, tokenizer, rows
        self.judge = evaluator.resolve_judge(judge)
        self.observer, self.run_dir = observer, run_dir
        self.format_check, self.save_best = format_check, save_best
        self.points: list[dict[str, Any]] = []
        self.best: dict[str, Any] | None = None
        self.seconds = 0.0

    def measure(self, model: Any, step: int) -> None:
        """Generate and judge the subset with the current policy (once per step)."""
        if model is None or self.has(step):
            return
        started = time.perf_counter()
        samples = shared_out(  # several DDP ranks: each evaluates its share (rlvr.evaluation.sharding)
            lambda share, positions: self.evaluator.greedy_samples(
                model, self.tokenizer, share, self.judge, self.format_check, positions
            ),
            self.rows,
            eval_shard(),
        )
        self._add(step, samples, time.perf_counter() - started)

    def adopt(self, step: int, samples: list[dict[str, Any]]) -> None:
        """Take the point at ``step`` from a full greedy evaluation of the same policy (before/after
        training): its first rows *are* the subset, so generating them again would only cost time."""
        if not self.has(step) and len(samples) >= len(self.rows):
            self._add(step, [dict(s) for s in samples[: len(self.rows)]], 0.0)

    def has(self, step: int) -> bool:
        return any(point["step"] == step for point in self.points)

    def defers_last_step(self) -> bool:
        """Whether the after-training evaluation will provide the last step's point (see :meth:`adopt`)."""
        return bool(self.evaluator.after_training)

    def _add(self, step: int, samples: list[dict[str, Any]], seconds: float) -> None:
        samples = [{k: v for k, v in s.items() if k in TABLE_COLUMNS} for s in samples]
        summary = greedy_summary(samples, self.evaluator.bootstrap_samples, self.evaluator.seed)
        self.run_dir.write_jsonl(f"eval_samples_step{step}.jsonl", samples)
        self.seconds += seconds
        self.observer.log_eval({"tag": "periodic", **summary, "seconds": round(seconds, 2)}, step)
        self.record(step, summary)

    def record(self, step: int, summary: dict[str, Any]) -> None:
        """Add a point; a strictly better value than the best so far (the earlier step wins ties) becomes
        the best, and is saved when ``best_model: best``."""
        self.points.append({"step": step, **{k: summary[k] for k in POINT_KEYS}})
        self.points.sort(key=lambda point: point["step"])
        metric = self.evaluator.metric_for_best
        if self.best is not None and summary[metric] <= self.best["value"]:
            return
        self.best = {"step": step, "metric": metric, "value": summary[metric]}
        if self.evaluator.best_model == "best" and self.save_best is not None:
            target = str(self.run_dir.file("best_model"))
            self.save_best(target)
            self.best["saved_to"] = target

    def summary(self) -> dict[str, Any]:
        """The in-training points, the best step and the seconds they took (``eval_report.json``)."""
        return {"points": self.points, "best": self.best, "seconds": round(self.seconds, 2)}


def periodic_callback(
    evaluator: Any,
    tokenizer: Any,
    rows: Any,
    judge: Judge | None,
    observer: Observer,
    run_dir: RunDir,
    format_check: Callable[[str], bool] | None = None,
    save_best: Callable[[str], None] | None = None,
) -> Any:
    """A ``transformers.TrainerCallback`` evaluating ``rows``; its ``state`` (:class:`PeriodicState`)
    holds the results and takes points from the before/after evaluations (``state.adopt``)."""
    from transformers import TrainerCallback

    state = PeriodicState(evaluator, tokenizer, rows, judge, observer, run_dir, format_check, save_best)

    class PeriodicEvaluation(TrainerCallback):
        def __init__(self) -> None:
            self.state = state

        def on_train_begin(self, args: Any, train_state: Any, control: Any, **kwargs: Any) -> None:
            state.measure(kwargs.get("model"), train_state.global_step)

        def on_step_end(self, args: Any, train_state: Any, control: Any, **kwargs: Any) -> None:
            step = train_state.global_step
            if step == train_state.max_steps and state.defers_last_step():
                return  # the after-training evaluation provides this point
            if step % evaluator.every_n_steps == 0 or step == train_state.max_steps:
                state.measure(kwargs.get("model"), step)

    return PeriodicEvaluation()
