"""One job of ``run_pipeline.py``: validate, run the mode, record how it ended.

Every run dir that gets past validation holds ``status.json`` from the start (``running``) to the end
(``ok``, ``failed`` or ``interrupted``, with the error, its exit status, the phase and the wall time),
whatever ended the job: :mod:`rlvr.ending` records every ending the same way, and :mod:`rlvr.signals`
turns SIGINT/SIGTERM at any phase into one. So a sweep summary can list failed jobs next to finished
ones. In a single run an error ends the process with the error's exit status (a bug: 1, after its
traceback); in a sweep (``-m``) a failed job is recorded and the sweep goes on, unless
``sweep_fail_fast=true``.

The job's :class:`Outcome` carries its final eval accuracy, which ``run_pipeline.py``'s ``main`` returns:
Hydra hands it to the sweeper, and the Optuna sweeper maximises it. A job that failed or measured no
accuracy returns None, which Optuna records as a failed trial before going on (NaN would not do:
optuna 2.x's ``tell`` refuses it, and hydra-optuna-sweeper's fallback then aborts the whole search).
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, validate_config
from rlvr.console import error
from rlvr.ending import ending_of, mark_running, record_ending, set_phase
from rlvr.errors import RlvrError
from rlvr.redaction import redact_logs
from rlvr.run_dir import RunDir, discard_unused
from rlvr.run_lock import RunDirBusy, RunDirLock
from rlvr.signals import JobSignals


@dataclass(frozen=True)
class Outcome:
    """How a job ended: its exit status (0 = success) and its final eval accuracy, when it has one."""

    code: int
    accuracy: float | None = None


def final_accuracy(result: Any) -> float | None:
    """The accuracy a mode's report ends with: after training (``train``), or ``mode=eval``'s."""
    if not isinstance(result, dict):
        return None
    for tag in ("after", "eval"):
        accuracy = (result.get(tag) or {}).get("accuracy")
        if isinstance(accuracy, int | float):
            return float(accuracy)
    return None


def run_job(
    cfg: DictConfig, run_dir: RunDir, modes: Iterable[str], run: Callable[..., Any], sweep: bool
) -> Outcome:
    """Run one job; returns its exit status and final accuracy."""
    if sweep:
        from rlvr.sweep_job import with_task_rewards

        cfg = with_task_rewards(cfg)
    set_phase("validation")
    try:
        validate_config(cfg, modes=modes)
    except ConfigValidationError as err:
        error(str(err))
        if sweep:  # the summary lists the job with its error; a single run leaves no dir behind
            record_ending(run_dir, ending_of(err, run_dir.seconds()))
        else:
            discard_unused(run_dir.path)
        return Outcome(err.exit_code)
    redact_logs()  # Hydra's run_pipeline.log and console handler: no secret in any record
    try:
        with RunDirLock(run_dir.path) if run_dir.writer else contextlib.nullcontext():
            return _locked_job(cfg, run_dir, run)
    except RunDirBusy as err:  # the dir and its status.json belong to the job holding it
        error(str(err))
        return Outcome(err.exit_code)


def _locked_job(cfg: DictConfig, run_dir: RunDir, run: Callable[..., Any]) -> Outcome:
    """Run the mode while this job holds the run dir, and record how it ended."""
    mark_running(run_dir)
    try:
        with JobSignals(str(run_dir.path)):
            result = run(cfg, run_dir)
    except RlvrError as err:  # diagnosed by us: one line, no traceback (debug=true shows it)
        if _debug(cfg):
            traceback.print_exc()
        error(str(err))
        return Outcome(_end(run_dir, err))
    except Exception as err:  # a bug: the traceback, then the recorded ending
        traceback.print_exc()
        return Outcome(_end(run_dir, err))
    except (SystemExit, KeyboardInterrupt) as err:  # sys.exit in user code; Ctrl-C without our handler
        if _debug(cfg):
            traceback.print_exc()
        error(str(ending_of(err, 0).error))
        return Outcome(_end(run_dir, err))
    accuracy = final_accuracy(result)
    record_ending(run_dir, ending_of(None, run_dir.seconds(), accuracy))
    return Outcome(0, accuracy)


def _debug(cfg: DictConfig) -> bool:
    return bool(cfg.get("debug")) or os.environ.get("HYDRA_FULL_ERROR") == "1"


def _end(run_dir: RunDir, err: BaseException) -> int:
    """Record a failed or interrupted ending (a dir the run never wrote to is removed instead)."""
    ending = ending_of(err, run_dir.seconds())
    if not discard_unused(run_dir.path):
        record_ending(run_dir, ending)
    return ending.exit_code
