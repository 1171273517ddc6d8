"""What ``run_pipeline.py`` can do, one module per mode, dispatched through :data:`MODES`.

    python run_pipeline.py                      # mode=train (rlvr/modes/train.py)
    python run_pipeline.py mode=check           # rlvr/modes/check.py
    python run_pipeline.py mode=score input=x   # rlvr/modes/score.py
    python run_pipeline.py mode=eval model.model_name_or_path=x   # rlvr/modes/eval.py
    python run_pipeline.py mode=compare a=x b=y  # rlvr/modes/compare.py
    python run_pipeline.py mode=plot input=outputs/<run>   # rlvr/modes/plot.py
    python run_pipeline.py mode=profile          # rlvr/modes/profile.py

A mode is a function ``run(cfg, run_dir) -> result``. Importing this package is light (no torch or
trl): validation reads :data:`MODES` before anything heavy is imported. Before a mode that loads
weights, the model component's optional static ``prepare(kwargs)`` runs (Unsloth: check the
environment, then import it ahead of transformers and TRL, which it patches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from omegaconf import DictConfig

from rlvr.config.build import locate_target, node_to_kwargs
from rlvr.ending import set_phase
from rlvr.modes import check, compare, plot, profile, score, train
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
    "profile": profile.run,
}


#: Modes that load the model's weights (and so its library).
LOADING_MODES = ("train", "eval", "profile")


def run(cfg: DictConfig, run_dir: RunDir) -> Any:
    """Dispatch to the configured mode, after the model component's ``prepare`` where it has one."""
    mode = cfg.get("mode", "train")
    set_phase(f"mode={mode}")
    if mode in LOADING_MODES:
        prepare_model(cfg.model)
    return MODES[mode](cfg, run_dir)


def prepare_model(node: DictConfig) -> None:
    """Call the model component's static ``prepare(kwargs)``, if it declares one, before anything in this
    process imports transformers."""
    target, kwargs = node_to_kwargs(node)
    prepare = getattr(locate_target(target), "prepare", None)
    if callable(prepare):
        prepare(kwargs)
