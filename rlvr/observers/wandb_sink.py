"""Weights & Biases: the run's config, metrics, tables, plots, alarms and summary, online or offline.

The run id is kept in ``<run dir>/wandb_run_id``: a run resumed in the same directory continues the
same W&B run (``resume="allow"``). ``mode=online`` without credentials (no ``WANDB_API_KEY``, no
``api.wandb.ai`` entry in ``~/.netrc``) would stop a long job at start-up or hang on a login prompt,
so the run goes on in ``offline`` mode with a warning saying how to sync it later. The warning comes
from validation (:meth:`WandbSink.config_issues`), before any model loads, and once per process.

    python run_pipeline.py observer.sinks.wandb.enabled=true observer.sinks.wandb.mode=offline
"""

from __future__ import annotations

import netrc
import os
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.config.types import AtLeast
from rlvr.console import warn
from rlvr.observers.sink_nodes import missing_package
from rlvr.observers.sinks import prefixed
from rlvr.run_dir import RunDir

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
                "observer.sinks.wandb.mode=online but no W&B API key (WANDB_API_KEY or `wandb login`): "
                "logging offline instead; upload later with `wandb sync <run dir>/wandb/offline-run-*`, or "
                "set observer.sinks.wandb.mode=offline to say so"
            )
        return "offline"
    return mode


class WandbSink:
    """One W&B run per run dir: config, train/eval metrics, tables, alarms, the plots and the summary."""

    #: Logging steps between tables of the latest completions (0 = never); set per run from the YAML.
    completions_every = 0

    def __init__(
        self,
        project: str = "rlvr",
        entity: str | None = None,
        name: str | None = None,
        group: str | None = None,
        tags: list[str] | None = None,
        notes: str | None = None,
        mode: Literal["online", "offline", "disabled"] = "online",
        completions_every: Annotated[int, AtLeast(0, note="0 = never")] = 0,
    ):
        self.settings = {
            "project": project,
            "entity": entity,
            "name": name,
            "group": group,
            "tags": list(tags or []),
            "notes": notes,
            "mode": mode,
        }
        self.completions_every = completions_every
        self.run: Any = None
        self._step = 0

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> None:
        import wandb

        self.wandb = wandb
        id_file = run_dir.file(RUN_ID_FILE)
        run_id = id_file.read_text().strip() if id_file.is_file() else uuid.uuid4().hex[:8]
        run_dir.write_text(RUN_ID_FILE, run_id + "\n")
        self.run = wandb.init(
            **{**self.settings, "mode": effective_mode(self.settings["mode"])},
            config=config,
            dir=str(run_dir.path),
            id=run_id,
            resume="allow",
            reinit="finish_previous",
        )
        self.run_id = run_id

    def log(self, record: dict[str, Any]) -> None:
        self._step = max(self._step, int(record["step"]))
        if record["kind"] not in ("train", "eval") or self.run is None:
            return
        numbers = {
            k: v
            for k, v in prefixed(record).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if numbers:
            self.run.log(numbers, step=record["step"])

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows as a ``wandb.Table`` under ``<name>/step_<step>`` (one key per step, so none overwrites)."""
        if not rows or self.run is None:
            return
        columns = list(rows[0])
        data = [[_cell(row.get(c)) for c in columns] for row in rows]
        self.run.log({f"{name}/step_{step:06d}": self.wandb.Table(columns=columns, data=data)}, step=step)

    def alarm(self, name: str, message: str, step: int) -> None:
        if self.run is None:
            return
        self.run.log({f"alarms/{name}": 1}, step=step)
        if self.run.settings.mode == "online":
            try:
                self.run.alert(title=f"rlvr: {name}", text=message)
            except Exception as err:  # noqa: BLE001 - an alert must never stop training
                warn(f"W&B alert failed: {err}")

    def finish(self, summary: dict[str, Any]) -> None:
        """The plots as images at the last step, the summary's flat values, then the run's end."""
        if self.run is None:
            return
        if paths := [Path(p) for p in (summary.get("plots") or {}).values()]:
            self.run.log({f"plots/{p.stem}": self.wandb.Image(str(p)) for p in paths}, step=self._step)
        self.run.summary.update(
            {k: v for k, v in _flat(summary).items() if isinstance(v, (int, float, str, bool)) or v is None}
        )
        self.run.finish()
        self.run = None

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """wandb must be installed; ``online`` without credentials is said now, before any model loads
        (it logs offline). The options' types and choices are the constructor's annotations."""
        issues = missing_package(prefix, "wandb")
        if not issues:
            effective_mode(kwargs.get("mode", "online"))
        return issues


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
