"""How a job ended, recorded by one function for every ending, so no run dir is left looking unfinished.

    mark_running(run_dir)                          # status.json: running (pid, start time)
    ending = ending_of(error, run_dir.seconds())   # None → ok; an rlvr error, any exception, a signal…
    record_ending(run_dir, ending)                 # status.json, the summary's "ended" row, the last line

The endings: ``ok``; ``failed`` — an rlvr error with its exit status, any other exception (a bug: exit 1,
the traceback is kept) or a ``sys.exit(n)`` from code the run called; ``interrupted`` — SIGINT/SIGTERM at
any phase (exit 130/143, :mod:`rlvr.signals`). ``status.json`` says ``running`` from the start, so a dir
whose process was killed without a word (SIGKILL, the out-of-memory killer) never keeps the previous run's
``ok`` beside the new config. The summary (``summary.json``/``summary.md``, written by the observer) gets
an ``ended`` row with the same words and the same wall time as the last console line, which also names
the run dir: one clock (:attr:`rlvr.run_dir.RunDir.started`), one wall time.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from rlvr.console import error, say, warn
from rlvr.errors import Interrupted, RlvrError
from rlvr.run_dir import RunDir

#: What the job is doing now; a signal's message and ``status.json`` name it.
_PHASE = {"now": "setting up"}


def set_phase(phase: str) -> None:
    """Name what the job does from now on (e.g. ``"training"``), for the ending of an interrupted run."""
    _PHASE["now"] = phase


def current_phase() -> str:
    return _PHASE["now"]


@dataclass(frozen=True)
class Ending:
    """How one job ended: ``ok``, ``failed`` or ``interrupted``, its exit status, the wall time."""

    status: str
    exit_code: int
    seconds: float
    error: str | None = None
    phase: str | None = None
    accuracy: float | None = None

    def headline(self) -> str:
        """``ok after 85.4 s`` / ``failed (exit 3) during training after 12.0 s``."""
        words = self.status if self.status == "ok" else f"{self.status} (exit {self.exit_code})"
        if self.status != "ok" and self.phase:
            words += f" during {self.phase}"
        return f"{words} after {self.seconds:.1f} s"

    def text(self) -> str:
        """The headline and the error, as the summary's ``ended`` row shows them."""
        return f"{self.headline()}: {self.error}" if self.error else self.headline()

    def as_status(self) -> dict[str, Any]:
        """The ``status.json`` record (``None`` fields left out)."""
        return {key: value for key, value in asdict(self).items() if value is not None}


def ending_of(error: BaseException | None, seconds: float, accuracy: float | None = None) -> Ending:
    """The ending a job's outcome stands for: None is success; anything raised is sorted by kind."""
    seconds = round(seconds, 1)
    if error is None:
        return Ending("ok", 0, seconds, accuracy=accuracy)
    phase = current_phase()
    if isinstance(error, Interrupted):
        return Ending("interrupted", error.exit_code, seconds, str(error), phase)
    if isinstance(error, KeyboardInterrupt):  # only where rlvr's signal handlers were not installed
        return Ending("interrupted", 130, seconds, "SIGINT (KeyboardInterrupt)", phase)
    if isinstance(error, RlvrError):
        return Ending("failed", error.exit_code, seconds, str(error), phase)
    if isinstance(error, SystemExit):  # exit 1: rlvr's statuses 2-7 are its own diagnoses
        message = (
            f"sys.exit({error.code!r}) was called during {phase} by code the run called (a custom reward, "
            "data loader or model?). Fix: raise an exception there instead; debug=true shows where"
        )
        return Ending("failed", 1, seconds, message, phase)
    return Ending("failed", 1, seconds, f"{type(error).__name__}: {error}", phase)


def mark_running(run_dir: RunDir) -> None:
    """``status.json`` = running, with the process id and start time (replaces an earlier run's ending)."""
    set_phase("setting up")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    run_dir.write_json("status.json", {"status": "running", "pid": os.getpid(), "started_utc": started})


def record_ending(run_dir: RunDir, ending: Ending) -> None:
    """Write ``status.json``, add the ending to the summary (when the run wrote one), print the last line.
    A write that fails here (the disk is full) is a warning: the job's own error stays the one reported."""
    try:
        run_dir.write_json("status.json", ending.as_status())
        _amend_summary(run_dir, ending)
    except OSError as err:
        warn(f"could not record the ending in {run_dir.path}: {err.strerror or err}")
    # The error itself was printed already; a failed ending goes to stderr after it, with the problems.
    (say if ending.status == "ok" else error)(f"{ending.headline()} — run dir: {run_dir.path}")


def _amend_summary(run_dir: RunDir, ending: Ending) -> None:
    """``summary.json``/``summary.md`` say how the run ended, with the job's wall time."""
    import json

    from rlvr.observers.summary import summary_markdown

    path = run_dir.path / "summary.json"
    if not run_dir.writer or not path.is_file():
        return
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    summary["ended"] = {k: v for k, v in ending.as_status().items() if k not in ("seconds", "accuracy")}
    summary["ended"]["text"] = ending.text()
    summary["wall_time_s"] = ending.seconds
    run_dir.write_json("summary.json", summary)
    run_dir.write_text("summary.md", summary_markdown(summary))
