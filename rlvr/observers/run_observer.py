"""The observer component: ``metrics.jsonl`` (always), the console, and the backends a run asks for.

    python run_pipeline.py experiment=smoke observer.backends=[wandb,tensorboard] observer.wandb.mode=offline

Training metrics arrive through :func:`rlvr.observers.callback.observer_callback` (the trainer's
``on_log``); evaluation reports and tables from the orchestrator. Every record goes to every output:
the JSONL file (``{"kind": "train"|"eval"|"setup"|"data", "step": N, ...}``, one file for the whole
run, readable with ``pandas.read_json(lines=True)``), the console (:mod:`~rlvr.observers.console_view`),
W&B and TensorBoard. Health alarms (:mod:`~rlvr.observers.alarms`) watch the same stream. ``finish``
writes ``summary.json``/``summary.md`` and the plots, and prints the summary table.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.console import warn
from rlvr.observers.alarms import DEFAULT_ALARMS, HealthMonitor
from rlvr.observers.console_view import ConsoleView
from rlvr.observers.summary import build_summary, summary_markdown, summary_rows
from rlvr.observers.wandb_sink import DEFAULT_WANDB, MODES, effective_mode
from rlvr.redaction import redact, redacting

BACKENDS = ("wandb", "tensorboard")
DEFAULT_TENSORBOARD: dict[str, Any] = {"subdir": "tensorboard"}
__all__ = ["DEFAULT_ALARMS", "DEFAULT_TENSORBOARD", "DEFAULT_WANDB", "RunObserver"]


class RunObserver:
    """Writes ``metrics.jsonl``, prints the console view, mirrors everything to the chosen backends."""

    def __init__(
        self,
        console: Literal["quiet", "normal", "verbose"] | bool = "normal",
        metrics_file: str = "metrics.jsonl",
        backends: list[str] | None = None,
        wandb: dict[str, Any] | None = None,
        tensorboard: dict[str, Any] | None = None,
        alarms: dict[str, Any] | None = None,
        plots: bool = True,
    ):
        self.console = console
        self.metrics_file = metrics_file
        self.backends = list(backends or [])
        self.wandb_settings = {**DEFAULT_WANDB, **(wandb or {})}
        self.tensorboard_settings = {**DEFAULT_TENSORBOARD, **(tensorboard or {})}
        self.plots = plots
        self.monitor = HealthMonitor(alarms)
        self.view = ConsoleView(console)
        self.sinks: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self._run_dir: Any = None
        self._started = time.perf_counter()

    def start(self, run_dir: Any, config: dict[str, Any]) -> None:
        """Open the metrics file and the backends (``config`` arrives with secrets already masked)."""
        # The run's one clock (rlvr.run_dir.RunDir.started), so the summary's wall time is the job's.
        self._run_dir, self._started = run_dir, getattr(run_dir, "started", time.perf_counter())
        metrics = run_dir.file(self.metrics_file)
        if _resuming(config) and metrics.is_file():  # a resumed run continues its file, summary and plots
            lines = metrics.read_text(encoding="utf-8").splitlines()
            self.records = [json.loads(line) for line in lines if line.strip()]
        else:
            run_dir.write_text(self.metrics_file, "")
        # Each backend is built from redacted settings and only ever sees redacted arguments: W&B's
        # notes, tags and name reach its run file, which no file-level mask can reach afterwards.
        if "wandb" in self.backends:
            from rlvr.observers.wandb_sink import WandbSink

            self.sinks["wandb"] = redacting(WandbSink(redact(self.wandb_settings), run_dir, redact(config)))
        if "tensorboard" in self.backends:
            from rlvr.observers.tensorboard_sink import TensorBoardSink

            subdir = self.tensorboard_settings["subdir"]
            self.sinks["tensorboard"] = redacting(TensorBoardSink(run_dir, redact(config), subdir))

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None:
        clean = {k: _plain(v) for k, v in metrics.items()}
        record = {
            "kind": kind,
            "step": step,
            "time_s": round(time.perf_counter() - self._started, 2),
            **clean,
        }
        self.records.append(record)
        if self._run_dir is not None:
            self._run_dir.append_jsonl(self.metrics_file, record)
        self._show(kind, step, clean)
        if kind in ("train", "eval"):
            for sink in ("wandb", "tensorboard"):
                if sink in self.sinks:
                    self.sinks[sink].log(_prefixed(kind, clean), step)
        for alarm in self.monitor.update({k: _number(v) for k, v in metrics.items()}, step, kind):
            self.view.alarm(alarm.message)
            if "wandb" in self.sinks:
                self.sinks["wandb"].alarm(alarm.name, alarm.message, step)
            if "tensorboard" in self.sinks:
                self.sinks["tensorboard"].text("alarms", alarm.message, step)

    def _show(self, kind: str, step: int, metrics: dict[str, Any]) -> None:
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

    def log_eval(self, report: dict[str, Any], step: int) -> None:
        """Log an evaluation report's summary (the per-sample rows go through :meth:`log_table`)."""
        summary = {f"eval/{k}": v for k, v in report.items() if k not in ("samples", "tag")}
        self.log_metrics({"tag": report.get("tag"), **summary}, step, kind="eval")

    def log_table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows (completions, eval samples) for the backends that show tables; the JSONL skips them."""
        for sink in ("wandb", "tensorboard"):
            if sink in self.sinks:
                self.sinks[sink].table(name, rows, step)

    def completions_every(self) -> int:
        """Logging steps between completion tables (0 = never): only W&B shows them."""
        return int(self.wandb_settings["completions_every"] or 0) if "wandb" in self.sinks else 0

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        """Write the summary and plots, print the table, close the backends."""
        self.view.close()
        if self._run_dir is None:
            return
        plots = self._draw_plots(max((r["step"] for r in self.records), default=0))
        result = build_summary(
            self.records,
            [a.as_dict() for a in self.monitor.fired],
            self._run_dir,
            time.perf_counter() - self._started,
            summary,
        )
        result["plots"] = plots
        result["files"] |= {name: str(self._run_dir.path / name) for name in ("summary.json", "summary.md")}
        self._run_dir.write_json("summary.json", result)
        self._run_dir.write_text("summary.md", summary_markdown(result))
        self.view.summary(summary_rows(result))
        for sink in self.sinks.values():
            sink.finish(result)
        self.sinks = {}

    def _draw_plots(self, step: int) -> dict[str, str]:
        """The PNGs (title → path); a plotting failure is a warning, never a lost run."""
        if not self.plots or not any(r["kind"] in ("train", "eval") for r in self.records):
            return {}
        from rlvr.observers.plots import draw_plots

        try:
            drawn = draw_plots({"run": self.records}, self._run_dir)
        except Exception as err:  # noqa: BLE001 - the run's results are saved already
            warn(f"plots skipped: {type(err).__name__}: {err}")
            return {}
        if "wandb" in self.sinks:
            self.sinks["wandb"].images([path for _, path in drawn], step)
        return {title: str(path) for title, path in drawn}

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """Backends, W&B settings and alarm thresholds: names and values checked before anything runs."""
        issues = [
            ConfigIssue(f"{prefix}.backends", name, "unknown observer backend", f"use {list(BACKENDS)}")
            for name in kwargs.get("backends") or []
            if name not in BACKENDS
        ]
        for node, known in (
            ("wandb", DEFAULT_WANDB),
            ("alarms", DEFAULT_ALARMS),
            ("tensorboard", DEFAULT_TENSORBOARD),
        ):
            settings = kwargs.get(node) or {}
            for key in set(settings) - set(known):
                fix = f"use one of {', '.join(known)}"
                if node == "wandb" and key == "enabled":
                    fix = f"list it instead: {prefix}.backends=[wandb]"
                issues.append(
                    ConfigIssue(f"{prefix}.{node}.{key}", settings[key], f"unknown {node} setting", fix)
                )
        mode = (kwargs.get("wandb") or {}).get("mode", "online")
        if mode not in MODES:
            issues.append(
                ConfigIssue(
                    f"{prefix}.wandb.mode", mode, "unknown W&B mode", "use online, offline or disabled"
                )
            )
        issues += _installed_issues(prefix, kwargs.get("backends") or [])
        if "wandb" in (kwargs.get("backends") or []) and mode in MODES and not issues:
            effective_mode(mode)  # no credentials: say so now, before any model loads
        return issues


def _installed_issues(prefix: str, backends: list[str]) -> list[ConfigIssue]:
    import importlib.util

    needs = {"wandb": "wandb", "tensorboard": "tensorboard"}
    return [
        ConfigIssue(
            f"{prefix}.backends",
            name,
            f"{needs[name]} is not installed",
            f"pip install {needs[name]}, or drop {name}",
        )
        for name in backends
        if name in needs and importlib.util.find_spec(needs[name]) is None
    ]


def _resuming(config: dict[str, Any]) -> bool:
    """Whether this run continues an earlier one in the same run dir (``train.resume_from_checkpoint``)."""
    return (config.get("train") or {}).get("resume_from_checkpoint") not in (None, False, "false", "")


def _prefixed(kind: str, metrics: dict[str, Any]) -> dict[str, Any]:
    return {
        k if kind == "train" or k.startswith(f"{kind}/") else f"{kind}/{k}": v for k, v in metrics.items()
    }


def _number(value: Any) -> Any:
    """Tensors and numpy scalars as Python numbers, NaN kept (the alarms must see it)."""
    return value.item() if hasattr(value, "item") else value


def _plain(value: Any) -> Any:
    """JSON-safe metric values (NaN/inf become None; tensors and numpy scalars become floats)."""
    value = _number(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
