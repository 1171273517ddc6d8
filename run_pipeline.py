"""Train an LLM with GRPO on verifiable rewards, configured entirely from YAML and the command line.

    python run_pipeline.py                                   # GSM8K, default model (GPU + internet)
    python run_pipeline.py experiment=smoke                  # offline CPU smoke run (~1 min)
    python run_pipeline.py train.max_steps=500 train.learning_rate=1e-5 data_component=finqa
    python run_pipeline.py -m train.learning_rate=1e-5,3e-6  # Hydra multirun sweep
    python run_pipeline.py --cfg job                         # print the composed config

This file only wires: normalise overrides → compose (Hydra) → validate (all errors at once, before
torch/trl are imported) → hand over to the mode (:mod:`rlvr.modes`), which builds the components.
A config that fails validation leaves no run directory behind.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, group_option_issues, normalise_overrides
from rlvr.console import error
from rlvr.job import run_job
from rlvr.modes import MODES, run  # light: components import torch/trl only when built
from rlvr.run_dir import RunDir, occupied_run_dir

CONFIG_DIR = str(Path(__file__).resolve().parent / "conf")


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hydra_config = HydraConfig.get()
    sweep = hydra_config.mode == RunMode.MULTIRUN
    code = run_job(cfg, RunDir(hydra_config.runtime.output_dir), MODES, run, sweep)
    if code and (not sweep or cfg.get("sweep_fail_fast")):
        sys.exit(code)


if __name__ == "__main__":
    if issues := group_option_issues(sys.argv[1:]):
        error(str(ConfigValidationError(issues)))
        sys.exit(2)
    if problem := occupied_run_dir(sys.argv[1:]):
        error(problem)
        sys.exit(2)
    sys.argv = [sys.argv[0], *normalise_overrides(sys.argv[1:])]
    main()
