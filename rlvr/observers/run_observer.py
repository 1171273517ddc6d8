"""The observer component: console lines, a JSONL metrics file (always), and W&B when enabled.

Training metrics arrive through :func:`rlvr.observers.callback.observer_callback` (the trainer's
``on_log``); evaluation reports arrive from the orchestrator. Each JSONL line is ``{"kind": "train"|"eval", "step": N, ...metrics}``,
so one file holds the whole run in order and can be read back with ``pandas.read_json(lines=True)``.
"""

from __future__ import annotations

import math
import time
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.console import say
from rlvr.run_dir import RunDir

DEFAULT_WANDB = {
    "enabled": False,
    "project": "rlvr",
    "entity": None,
    "name": None,
    "group": None,
    "tags": [],
    "mode": "online",
}
_CONSOLE_KEYS = ("loss", "reward", "reward_std", "completions/mean_length", "kl", "learning_rate")


class RunObserver:
    """Writes ``metrics.jsonl`` in the run dir, prints compact console lines, mirrors to W&B if enabled."""

    def __init__(
        self, console: bool = True, metrics_file: str = "metrics.jsonl", wandb: dict[str, Any] | None = None
    ):
        self.console = console
        self.metrics_file = metrics_file
        self.wandb_settings = {**DEFAULT_WANDB, **(wandb or {})}
        self._run_dir: RunDir | None = None
        self._wandb_run: Any = None
        self._started = time.perf_counter()

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> None:
        self._run_dir = run_dir
        run_dir.write_text(self.metrics_file, "")
        if self.wandb_settings["enabled"]:
            import wandb

            settings = {k: v for k, v in self.wandb_settings.items() if k != "enabled"}
            self._wandb_run = wandb.init(config=config, dir=str(run_dir.path), **settings)

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None:
        clean = {k: _plain(v) for k, v in metrics.items()}
        record = {
            "kind": kind,
            "step": step,
            "time_s": round(time.perf_counter() - self._started, 2),
            **clean,
        }
        if self._run_dir is not None:
            self._run_dir.append_jsonl(self.metrics_file, record)
        if self.console:
            self._print(kind, step, clean)
        if self._wandb_run is not None:
            self._wandb_run.log(
                {
                    k if kind == "train" or k.startswith(f"{kind}/") else f"{kind}/{k}": v
                    for k, v in clean.items()
                    if isinstance(v, (int, float))
                },
                step=step,
            )

    @staticmethod
    def _print(kind: str, step: int, metrics: dict[str, Any]) -> None:
        """One compact console line; records with nothing worth showing (e.g. the run summary) print nothing."""
        if kind == "data":
            splits = (metrics.get("data") or {}).get("splits", {})
            say("data: " + ", ".join(f"{name} {s['rows']} rows" for name, s in splits.items()))
            return
        shown = {
            k: v
            for k, v in metrics.items()
            if k in _CONSOLE_KEYS
            or (k.startswith(("rewards/", "eval/")) and k.endswith(("/mean", "/errors", "accuracy")))
        }
        if shown:
            say(f"{kind} step {step}: " + ", ".join(f"{k}={_short(v)}" for k, v in shown.items()))

    def log_eval(self, report: dict[str, Any], step: int) -> None:
        """Log an evaluation report's summary (the per-sample rows are written by the orchestrator)."""
        summary = {f"eval/{k}": v for k, v in report.items() if k not in ("samples", "tag")}
        self.log_metrics({"tag": report.get("tag"), **summary}, step, kind="eval")

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        if self._wandb_run is not None:
            if summary:
                self._wandb_run.summary.update(
                    {k: v for k, v in summary.items() if isinstance(v, (int, float))}
                )
            self._wandb_run.finish()
            self._wandb_run = None

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        settings = kwargs.get("wandb") or {}
        issues = [
            ConfigIssue(
                f"{prefix}.wandb.{k}", settings[k], "unknown W&B setting", f"use {', '.join(DEFAULT_WANDB)}"
            )
            for k in set(settings) - set(DEFAULT_WANDB)
        ]
        mode = settings.get("mode", "online")
        if mode not in ("online", "offline", "disabled"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.wandb.mode", mode, "unknown W&B mode", "use online, offline or disabled"
                )
            )
        if settings.get("enabled"):
            import importlib.util

            if importlib.util.find_spec("wandb") is None:
                issues.append(
                    ConfigIssue(
                        f"{prefix}.wandb.enabled",
                        True,
                        "wandb is not installed",
                        "pip install wandb, or set observer.wandb.enabled=false",
                    )
                )
        return issues


def _plain(value: Any) -> Any:
    """JSON-safe metric values (NaN/inf become None; tensors and numpy scalars become floats)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
