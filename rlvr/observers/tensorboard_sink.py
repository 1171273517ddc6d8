"""TensorBoard: scalars per step, eval reports, tables and alarms as text, in ``<run dir>/tensorboard``.

Uses ``torch.utils.tensorboard.SummaryWriter`` (it needs the ``tensorboard`` package, a dependency):
torch is already loaded in a training run, and the files are the ones ``tensorboard --logdir`` reads.
"""

from __future__ import annotations

import json
from typing import Any

from rlvr.run_dir import RunDir


class TensorBoardSink:
    """One ``SummaryWriter`` per run; numbers become scalars, everything else text."""

    def __init__(self, run_dir: RunDir, config: dict[str, Any], subdir: str = "tensorboard"):
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(run_dir.file(subdir)))
        self.writer.add_text("config", _code(config), 0)

    def log(self, metrics: dict[str, Any], step: int) -> None:
        for key, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.writer.add_scalar(key, value, step)

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows as a markdown table under ``name`` (TensorBoard's text tab renders it)."""
        if not rows:
            return
        columns = list(rows[0])
        lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
        self.writer.add_text(name, "\n".join(lines), step)

    def text(self, name: str, text: str, step: int) -> None:
        self.writer.add_text(name, text, step)

    def finish(self, summary: dict[str, Any]) -> None:
        self.writer.add_text("summary", _code(summary), int(summary.get("steps") or 0))
        self.writer.close()


def _code(value: Any) -> str:
    return "```\n" + json.dumps(value, indent=2, default=str) + "\n```"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")[:500]
