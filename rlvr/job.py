"""One job of ``run_pipeline.py``: validate, run the mode, record how it ended.

Every run dir that gets past validation ends with ``status.json`` (``ok`` or ``failed`` with the error and
its exit status, and the wall time), so a sweep summary can list failed jobs next to finished ones. In a
single run an error ends the process with the error's exit status; in a sweep (``-m``) a failed job is
recorded and the sweep goes on, unless ``sweep_fail_fast=true``.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, validate_config
from rlvr.console import error
from rlvr.errors import RlvrError
from rlvr.run_dir import RunDir, discard_unused


def run_job(
    cfg: DictConfig, run_dir: RunDir, modes: Iterable[str], run: Callable[..., Any], sweep: bool
) -> int:
    """Run one job; returns its exit status (0 = success)."""
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
        return err.exit_code
    started = time.perf_counter()
    try:
        run(cfg, run_dir)
    except RlvrError as err:  # diagnosed by us: one line, no traceback (debug=true shows it)
        if cfg.get("debug") or os.environ.get("HYDRA_FULL_ERROR") == "1":
            raise
        error(str(err))
        return _failed(run_dir, str(err), err.exit_code, started)
    except Exception as err:  # a bug: keep the traceback; in a sweep, record it and go on
        if not sweep or cfg.get("sweep_fail_fast"):
            raise
        traceback.print_exc()
        return _failed(run_dir, f"{type(err).__name__}: {err}", 1, started)
    run_dir.write_json("status.json", {"status": "ok", "seconds": round(time.perf_counter() - started, 1)})
    return 0


def _failed(run_dir: RunDir, message: str, code: int, started: float) -> int:
    if not discard_unused(run_dir.path):
        status = {"status": "failed", "error": message, "exit_code": code}
        run_dir.write_json("status.json", {**status, "seconds": round(time.perf_counter() - started, 1)})
    return code
