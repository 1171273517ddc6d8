"""``eval_report.json`` of a training run, as a value: :class:`RunReport`.

The train mode builds it from what its steps return (the data facts, the evaluations, the
:class:`~rlvr.interfaces.TrainResult`, the paths saved) and writes it at the run's ending — once, whichever
ending that is: finished, stopped by a signal, or a final save that failed (written before the error is
raised, so the error can list it among the files already safe). Keys left unset are left out of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from rlvr.interfaces import TrainResult
from rlvr.run_dir import RunDir

#: The file the report is written to.
REPORT_FILE = "eval_report.json"


@dataclass(frozen=True)
class RunReport:
    """A training run's report; the field order is the file's key order."""

    data: dict[str, Any]  # the data component's facts (sources, splits, drops, memory estimate)
    reward_functions: dict[str, float]  # reward name → weight
    warnings: list[str] | None = None
    before: dict[str, Any] | None = None  # the evaluation before training, without its samples
    reward_errors: dict[str, int] | None = None  # samples that got the on_error fallback, per reward
    train: dict[str, Any] | None = None  # global_step, training_loss, runtime_s, resumed_from
    interrupted: dict[str, Any] | None = None  # signal and step, when a signal stopped training
    after: dict[str, Any] | None = None  # the evaluation after training, without its samples
    comparison: dict[str, Any] | None = None  # per metric: baseline → final, Δ and its CI
    periodic: dict[str, Any] | None = None  # the in-training points and the best step
    eval_time: dict[str, float] | None = None  # evaluation's seconds and share of the run's wall time
    suite: dict[str, Any] | None = None  # eval.suite before/after training (or why not) and after − before
    final_model: str | None = None
    merged_model: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON object: every field that is set, in field order."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return {name: value for name, value in values if value is not None}

    def accuracies(self) -> dict[str, float]:
        """``eval/<tag>/accuracy`` of the before/after evaluations that ran (the observer's summary)."""
        tagged = (("before", self.before), ("after", self.after))
        return {f"eval/{tag}/accuracy": summary["accuracy"] for tag, summary in tagged if summary}

    def write(self, run_dir: RunDir) -> dict[str, Any]:
        """Write ``eval_report.json``; return what was written."""
        report = self.as_dict()
        run_dir.write_json(REPORT_FILE, report)
        return report


def train_entry(result: TrainResult) -> dict[str, Any]:
    """The report's ``train`` entry from what the training loop returned."""
    return {
        "global_step": result.global_step,
        "training_loss": result.training_loss,
        "runtime_s": result.runtime_s,
        "resumed_from": result.resumed_from,
    }
