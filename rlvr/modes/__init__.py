"""What ``run_pipeline.py`` can do, one module per mode, dispatched through :data:`MODES`.

    python run_pipeline.py                      # mode=train (rlvr/modes/train.py)
    python run_pipeline.py mode=check           # rlvr/modes/check.py
    python run_pipeline.py mode=score input=x   # rlvr/modes/score.py
    python run_pipeline.py mode=eval model.model_name_or_path=x   # rlvr/modes/eval.py
    python run_pipeline.py mode=compare a=x b=y  # rlvr/modes/compare.py
    python run_pipeline.py mode=plot input=outputs/<run>   # rlvr/modes/plot.py

A mode is a function ``run(cfg, run_dir) -> result``. Importing this package is light (no torch or
trl): validation reads :data:`MODES` before anything heavy is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omegaconf import DictConfig

from rlvr.modes import check, compare, plot, score, train
from rlvr.modes import eval as evaluate
from rlvr.run_dir import RunDir

#: ``mode=<name>`` → the function that runs it. A new mode is a module here and one line below.
MODES: dict[str, Callable[[DictConfig, RunDir], Any]] = {
    "train": train.run,
    "check": check.run,
    "score": score.run,
    "eval": evaluate.run,
    "compare": compare.run,
    "plot": plot.run,
}


def run(cfg: DictConfig, run_dir: RunDir) -> Any:
    """Dispatch to the configured mode."""
    return MODES[cfg.get("mode", "train")](cfg, run_dir)
