"""The two outputs every run has: ``metrics.jsonl`` (the run's record) and the console view.

    python run_pipeline.py observer.sinks.console.level=quiet          # alarms and the final table only
    python run_pipeline.py observer.sinks.jsonl.filename=steps.jsonl   # another name for the record

Each is an :class:`rlvr.interfaces.Sink` like the W&B and TensorBoard outputs and a user's own, built from
its node under ``observer.sinks`` (:mod:`rlvr.observers.sink_nodes`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from rlvr.observers.console_view import ConsoleView
from rlvr.observers.summary import summary_rows
from rlvr.run_dir import RunDir

#: The keys every record carries besides its metrics.
RECORD_KEYS = ("kind", "step", "time_s")


def record_metrics(record: dict[str, Any]) -> dict[str, Any]:
    """A record's metrics, without ``kind``, ``step`` and ``time_s``."""
    return {k: v for k, v in record.items() if k not in RECORD_KEYS}


def prefixed(record: dict[str, Any]) -> dict[str, Any]:
    """A train or eval record's metrics under the names dashboards show (``eval/…`` for eval records)."""
    kind = record["kind"]
    return {
        k if kind == "train" or k.startswith(f"{kind}/") else f"{kind}/{k}": v
        for k, v in record_metrics(record).items()
    }


class JsonlSink:
    """Every record as one JSON line (``pandas.read_json(lines=True)`` reads it); ``mode=plot`` and the
    summary read this file. A resumed run (``train.resume_from_checkpoint``) continues it."""

    completions_every = 0

    def __init__(self, filename: str = "metrics.jsonl"):
        self.filename = filename
        self._run_dir: RunDir | None = None

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> list[dict[str, Any]] | None:
        self._run_dir = run_dir
        path = run_dir.file(self.filename)
        if _resuming(config) and path.is_file():
            return [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
        run_dir.write_text(self.filename, "")
        return None

    def log(self, record: dict[str, Any]) -> None:
        if self._run_dir is not None:
            self._run_dir.append_jsonl(self.filename, record)

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Tables stay out of the record: eval samples have their own files in the run dir."""

    def alarm(self, name: str, message: str, step: int) -> None:
        """Alarms reach ``summary.json`` through the observer."""

    def finish(self, summary: dict[str, Any]) -> None:
        self._run_dir = None


class ConsoleSink:
    """The console: a progress bar and one aligned line per logging step, eval results, alarms and the
    summary table (:class:`~rlvr.observers.console_view.ConsoleView`)."""

    completions_every = 0

    def __init__(self, level: Literal["quiet", "normal", "verbose"] | bool = "normal"):
        self.view = ConsoleView(level)

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> None:
        return None

    def log(self, record: dict[str, Any]) -> None:
        kind, step, metrics = record["kind"], record["step"], record_metrics(record)
        if kind == "setup":
            self.view.setup(metrics.get("max_steps"))
        elif kind == "data":
            self.view.data(metrics.get("data") or {})
        elif kind == "eval":
            self.view.eval(step, metrics)
        elif kind == "train" and "train_runtime" in metrics:
            self.view.close()  # transformers' end-of-training record: the bar is done
        elif kind == "train":
            self.view.train(step, metrics)

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Tables are too wide for a console line."""

    def alarm(self, name: str, message: str, step: int) -> None:
        self.view.alarm(message)

    def finish(self, summary: dict[str, Any]) -> None:
        self.view.close()
        self.view.summary(summary_rows(summary))


def _resuming(config: dict[str, Any]) -> bool:
    """Whether this run continues an earlier one in the same run dir (``train.resume_from_checkpoint``)."""
    return (config.get("train") or {}).get("resume_from_checkpoint") not in (None, False, "false", "")
