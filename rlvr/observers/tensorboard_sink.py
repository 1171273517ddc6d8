"""TensorBoard: scalars per step, eval reports, tables and alarms as text, in ``<run dir>/tensorboard``.

Uses ``torch.utils.tensorboard.SummaryWriter`` (it needs the ``tensorboard`` package, a dependency):
torch is already loaded in a training run, and the files are the ones ``tensorboard --logdir`` reads.

    python run_pipeline.py observer.sinks.tensorboard.enabled=true
"""

from __future__ import annotations

import json
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.observers.sink_nodes import missing_package
from rlvr.observers.sinks import prefixed
from rlvr.run_dir import RunDir


class TensorBoardSink:
    """One ``SummaryWriter`` per run; numbers become scalars, everything else text."""

    completions_every = 0

    def __init__(self, subdir: str = "tensorboard"):
        self.subdir = subdir
        self.writer: Any = None

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(run_dir.file(self.subdir)))
        self.writer.add_text("config", _code(config), 0)

    def log(self, record: dict[str, Any]) -> None:
        if record["kind"] not in ("train", "eval") or self.writer is None:
            return
        for key, value in prefixed(record).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(key, value, record["step"])

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows as a markdown table under ``name`` (TensorBoard's text tab renders it)."""
        if not rows or self.writer is None:
            return
        columns = list(rows[0])
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
        self.writer.add_text(name, "\n".join(lines), step)

    def alarm(self, name: str, message: str, step: int) -> None:
        if self.writer is not None:
            self.writer.add_text("alarms", message, step)

    def finish(self, summary: dict[str, Any]) -> None:
        if self.writer is None:
            return
        self.writer.add_text("summary", _code(summary), int(summary.get("steps") or 0))
        self.writer.close()
        self.writer = None

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The event files need the ``tensorboard`` package."""
        return missing_package(prefix, "tensorboard")


def _code(value: Any) -> str:
    return "```\n" + json.dumps(value, indent=2, default=str) + "\n```"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")[:500]
