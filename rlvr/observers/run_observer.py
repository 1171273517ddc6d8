"""The observer component: one fan-out over the run's outputs, the health alarms and the summary.

    python run_pipeline.py experiment=smoke observer.sinks.console.level=verbose

Training metrics arrive through :func:`rlvr.observers.callback.observer_callback` (the trainer's
``on_log``); evaluation reports and tables from the orchestrator. Each becomes one record
(``{"kind": "train"|"eval"|"setup"|"data", "step": N, "time_s": ..., <metrics>}``) handed to every output
under ``observer.sinks`` (:mod:`~rlvr.observers.sink_nodes`: ``metrics.jsonl``, the console, the
dashboards, a user's own), which this module knows by no name. Health alarms
(:mod:`~rlvr.observers.alarms`) watch the same stream and go to every output. ``finish`` writes
``summary.json``/``summary.md`` and the plots and hands the summary to every output.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from rlvr.config.errors import ConfigIssue, ConfigValidationError, unknown_key_issue
from rlvr.config.overrides import MOVED_KEYS, moved_overrides
from rlvr.console import warn
from rlvr.observers.alarms import AlarmSettings, HealthMonitor
from rlvr.observers.sink_nodes import build_sinks, sinks_issues
from rlvr.observers.summary import build_summary, summary_markdown

#: The observer's own keys; every output's settings live in its node under ``sinks``.
KEYS = ("sinks", "alarms", "plots")
__all__ = ["RunObserver"]


class RunObserver:
    """Hands every record, table, alarm and the summary to the configured sinks; keeps the health
    monitor and writes the summary and plots."""

    def __init__(
        self,
        sinks: Mapping[str, Any] | None = None,
        alarms: AlarmSettings | None = None,
        plots: bool = True,
        **moved: Any,
    ):
        if moved:  # keys from before observer.sinks, given from Python: say where they live now
            raise ConfigValidationError(RunObserver.config_issues("observer", moved))
        self.sinks = build_sinks(sinks)
        self.plots = plots
        self.monitor = HealthMonitor(alarms)
        self.records: list[dict[str, Any]] = []
        self._run_dir: Any = None
        self._started = time.perf_counter()

    def start(self, run_dir: Any, config: dict[str, Any]) -> None:
        """Open every sink (``config`` arrives with secrets already masked); a resumed run continues the
        records its earlier attempt wrote, so the summary and plots cover the whole run."""
        # The run's one clock (rlvr.run_dir.RunDir.started), so the summary's wall time is the job's.
        self._run_dir, self._started = run_dir, getattr(run_dir, "started", time.perf_counter())
        for sink in self.sinks.values():
            earlier = sink.start(run_dir, config)
            if earlier:
                self.records = list(earlier)

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None:
        record = {
            "kind": kind,
            "step": step,
            "time_s": round(time.perf_counter() - self._started, 2),
            **{k: _plain(v) for k, v in metrics.items()},
        }
        self.records.append(record)
        for sink in self.sinks.values():
            sink.log(record)
        for alarm in self.monitor.update({k: _number(v) for k, v in metrics.items()}, step, kind):
            for sink in self.sinks.values():
                sink.alarm(alarm.name, alarm.message, step)

    def log_eval(self, report: dict[str, Any], step: int) -> None:
        """Log an evaluation report's summary (the per-sample rows go through :meth:`log_table`)."""
        summary = {f"eval/{k}": v for k, v in report.items() if k not in ("samples", "tag")}
        self.log_metrics({"tag": report.get("tag"), **summary}, step, kind="eval")

    def log_table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows (completions, eval samples) for the sinks that show tables."""
        for sink in self.sinks.values():
            sink.table(name, rows, step)

    def completions_every(self) -> int:
        """Logging steps between completion tables: the most frequent any sink asks for (0 = none asks)."""
        wanted = [int(sink.completions_every or 0) for sink in self.sinks.values()]
        return min((every for every in wanted if every > 0), default=0)

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        """Write the summary and plots, then hand the summary to every sink, which closes it."""
        if self._run_dir is None:
            return
        plots = self._draw_plots()
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
        for sink in self.sinks.values():
            sink.finish(result)
        self.sinks = {}

    def _draw_plots(self) -> dict[str, str]:
        """The PNGs (title → path); a plotting failure is a warning, never a lost run."""
        if not self.plots or not any(r["kind"] in ("train", "eval") for r in self.records):
            return {}
        from rlvr.observers.plots import draw_plots

        try:
            drawn = draw_plots({"run": self.records}, self._run_dir)
        except Exception as err:  # noqa: BLE001 - the run's results are saved already
            warn(f"plots skipped: {type(err).__name__}: {err}")
            return {}
        return {title: str(path) for title, path in drawn}

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """Keys from before ``observer.sinks`` named with the key that replaced them; every sink node
        checked like a component node. ``alarms`` is checked from its type (:class:`AlarmSettings`)."""
        issues = [_moved_issue(prefix, key, value) for key, value in kwargs.items() if key not in KEYS]
        return issues + sinks_issues(f"{prefix}.sinks", kwargs.get("sinks"))


def _moved_issue(prefix: str, key: str, value: Any) -> ConfigIssue:
    """A key that moved into ``observer.sinks``, with the spelling that replaces it (the command line's own
    rewrite, :func:`~rlvr.config.overrides.moved_overrides`); else an unknown key."""
    old = f"observer.{key}"
    if old not in MOVED_KEYS:
        return unknown_key_issue(prefix, key, value, KEYS, "rlvr.observers.RunObserver")
    if isinstance(value, dict):
        fix = f"move these keys under {MOVED_KEYS[old].replace('observer', prefix, 1)}"
    else:
        spelled = "[" + ",".join(map(str, value)) + "]" if isinstance(value, list) else value
        new = [arg.replace("observer", prefix, 1) for arg in moved_overrides(f"{old}={spelled}")]
        fix = "use " + " ".join(new) if new else "remove it"
    return ConfigIssue(f"{prefix}.{key}", value, "moved into observer.sinks", fix)


def _number(value: Any) -> Any:
    """Tensors and numpy scalars as Python numbers, NaN kept (the alarms must see it)."""
    return value.item() if hasattr(value, "item") else value


def _plain(value: Any) -> Any:
    """JSON-safe metric values (NaN/inf become None; tensors and numpy scalars become floats)."""
    value = _number(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
