"""One job of ``run_pipeline.py``: validate, run the mode, record how it ended.

Every run dir that gets past validation ends with ``status.json`` (``ok`` or ``failed`` with the error and
its exit status, and the wall time), so a sweep summary can list failed jobs next to finished ones. In a
single run an error ends the process with the error's exit status; in a sweep (``-m``) a failed job is
recorded and the sweep goes on, unless ``sweep_fail_fast=true``.

The job's :class:`Outcome` carries its final eval accuracy, which ``run_pipeline.py``'s ``main`` returns:
Hydra hands it to the sweeper, and the Optuna sweeper maximises it. A job that failed or measured no
accuracy returns None, which Optuna records as a failed trial before going on (NaN would not do:
optuna 2.x's ``tell`` refuses it, and hydra-optuna-sweeper's fallback then aborts the whole search).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, validate_config
from rlvr.console import error
from rlvr.errors import RlvrError
from rlvr.run_dir import RunDir, discard_unused


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
        from rlvr.modes.sweep import with_task_rewards

        cfg = with_task_rewards(cfg)
    try:
        validate_config(cfg, modes=modes)
    except ConfigValidationError as err:
        error(str(err))
        if sweep:  # the summary lists the job with its error; a single run leaves no dir behind
            run_dir.write_json(
                "status.json", {"status": "failed", "error": str(err), "exit_code": err.exit_code}
            )
        else:
            discard_unused(run_dir.path)
        return Outcome(err.exit_code)
    started = time.perf_counter()
    try:
        result = run(cfg, run_dir)
    except RlvrError as err:  # diagnosed by us: one line, no traceback (debug=true shows it)
        if cfg.get("debug") or os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        error(str(err))
        return Outcome(_failed(run_dir, str(err), err.exit_code, started))
    except Exception as err:  # a bug: keep the traceback; in a sweep, record it and go on
        if not sweep or cfg.get("sweep_fail_fast"):
            raise
        traceback.print_exc()
        return Outcome(_failed(run_dir, f"{type(err).__name__}: {err}", 1, started))
    accuracy = final_accuracy(result)
    status = {"status": "ok", "seconds": round(time.perf_counter() - started, 1), "accuracy": accuracy}
    run_dir.write_json("status.json", status)
    return Outcome(0, accuracy)


def _failed(run_dir: RunDir, message: str, code: int, started: float) -> int:
    if not discard_unused(run_dir.path):
        status = {"status": "failed", "error": message, "exit_code": code}
        run_dir.write_json("status.json", {**status, "seconds": round(time.perf_counter() - started, 1)})
    return code
