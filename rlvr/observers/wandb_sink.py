"""Weights & Biases: the run's config, metrics, tables, plots, alarms and summary, online or offline.

The run id is kept in ``<run dir>/wandb_run_id``: a run resumed in the same directory continues the
same W&B run (``resume="allow"``). ``mode=online`` without credentials (no ``WANDB_API_KEY``, no
``api.wandb.ai`` entry in ``~/.netrc``) would stop a long job at start-up or hang on a login prompt,
so the run goes on in ``offline`` mode with a warning saying how to sync it later. The warning comes
from validation (:meth:`RunObserver.config_issues`), before any model loads, and once per process.
"""

from __future__ import annotations

import netrc
import os
import uuid
from pathlib import Path
from typing import Any

from rlvr.console import warn
from rlvr.redaction import redact
from rlvr.run_dir import RunDir

DEFAULT_WANDB: dict[str, Any] = {
    "project": "rlvr",
    "entity": None,
    "name": None,
    "group": None,
    "tags": [],
    "notes": None,
    "mode": "online",
    "completions_every": 0,
}
MODES = ("online", "offline", "disabled")
RUN_ID_FILE = "wandb_run_id"


def has_credentials() -> bool:
    """Whether ``wandb`` could log in without asking: an API key in the environment or in ``~/.netrc``."""
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        return netrc.netrc().authenticators("api.wandb.ai") is not None
    except (OSError, netrc.NetrcParseError):
        return False


_warned_offline: list[bool] = []


def effective_mode(mode: str) -> str:
    """``online`` becomes ``offline`` (with a warning, once per process) when there are no credentials."""
    if mode == "online" and not has_credentials():
        if not _warned_offline:
            _warned_offline.append(True)
            warn(
                "observer.wandb.mode=online but no W&B API key (WANDB_API_KEY or `wandb login`): logging "
                "offline instead; upload later with `wandb sync <run dir>/wandb/offline-run-*`, or set "
                "observer.wandb.mode=offline to say so"
            )
        return "offline"
    return mode


class WandbSink:
    """One W&B run per run dir; everything the observer logs is mirrored here."""

    def __init__(self, settings: dict[str, Any], run_dir: RunDir, config: dict[str, Any]):
        import wandb

        self.wandb = wandb
        self.settings = {**DEFAULT_WANDB, **settings}
        id_file = run_dir.file(RUN_ID_FILE)
        run_id = id_file.read_text().strip() if id_file.is_file() else uuid.uuid4().hex[:8]
        run_dir.write_text(RUN_ID_FILE, run_id + "\n")
        init = {k: v for k, v in self.settings.items() if k != "completions_every"}
        init["mode"] = effective_mode(init["mode"])
        self.run = wandb.init(
            **init,
            config=redact(config),
            dir=str(run_dir.path),
            id=run_id,
            resume="allow",
            reinit="finish_previous",
        )
        self.run_id = run_id

    def log(self, metrics: dict[str, Any], step: int) -> None:
        numbers = {
            k: v for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if numbers:
            self.run.log(numbers, step=step)

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows as a ``wandb.Table`` under ``<name>/step_<step>`` (one key per step, so none overwrites)."""
        if not rows:
            return
        columns = list(rows[0])
        data = [[_cell(row.get(c)) for c in columns] for row in rows]
        self.run.log({f"{name}/step_{step:06d}": self.wandb.Table(columns=columns, data=data)}, step=step)

    def alarm(self, name: str, message: str, step: int) -> None:
        self.run.log({f"alarms/{name}": 1}, step=step)
        if self.run.settings.mode == "online":
            try:
                self.run.alert(title=f"rlvr: {name}", text=message)
            except Exception as err:  # noqa: BLE001 - an alert must never stop training
                warn(f"W&B alert failed: {err}")

    def images(self, paths: list[Path], step: int) -> None:
        if paths:
            self.run.log({f"plots/{p.stem}": self.wandb.Image(str(p)) for p in paths}, step=step)

    def finish(self, summary: dict[str, Any]) -> None:
        self.run.summary.update(
            {k: v for k, v in _flat(summary).items() if isinstance(v, (int, float, str, bool)) or v is None}
        )
        self.run.finish()


def _flat(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            out |= _flat(item, f"{prefix}{key}/")
        elif isinstance(item, list):
            out[f"{prefix}{key}"] = "; ".join(map(str, item))
        else:
            out[f"{prefix}{key}"] = item
    return out


def _cell(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)
