"""Train an LLM with GRPO on verifiable rewards, configured entirely from YAML and the command line.

    python run_pipeline.py                                   # GSM8K, default model (GPU + internet)
    python run_pipeline.py experiment=smoke                  # offline CPU smoke run (~1 min)
    python run_pipeline.py train.max_steps=500 train.learning_rate=1e-5 data_component=finqa
    python run_pipeline.py -m train.learning_rate=1e-5,3e-6  # Hydra multirun sweep
    python run_pipeline.py --cfg job                         # print the composed config
    accelerate launch --config_file accelerate/ddp.yaml --num_processes 2 run_pipeline.py experiment=smoke

This file only wires: normalise overrides → compose (Hydra) → validate (all errors at once, before
torch/trl are imported) → hand over to the mode (:mod:`rlvr.modes`), which builds the components.
A config that fails validation leaves no run directory behind. Launched as several processes
(``accelerate launch``, ``torchrun``), all ranks share one run dir and only rank 0 writes
(:mod:`rlvr.launch`). ``main`` returns the job's final eval accuracy: the objective of an Optuna sweep
(``hparams_search=optuna_lr``); None when the job failed or measured none.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, group_option_issues, normalise_overrides
from rlvr.console import error
from rlvr.job import run_job
from rlvr.launch import is_main_process, launch_issue, launch_overrides
from rlvr.modes import MODES, run  # light: components import torch/trl only when built
from rlvr.run_dir import RunDir, occupied_run_dir, unwritable_run_dir

CONFIG_DIR = str(Path(__file__).resolve().parent / "conf")


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> float | None:
    hydra_config = HydraConfig.get()
    sweep = hydra_config.mode == RunMode.MULTIRUN
    outcome = run_job(cfg, RunDir(hydra_config.runtime.output_dir), MODES, run, sweep)
    if outcome.code and (not sweep or cfg.get("sweep_fail_fast")):
        sys.exit(outcome.code)
    return outcome.accuracy


if __name__ == "__main__":
    args = sys.argv[1:]
    if issues := group_option_issues(args):
        error(str(ConfigValidationError(issues)))
        sys.exit(2)
    # Rank 0 checks the dir: the other ranks of a launch may start after it has begun writing there.
    if problem := launch_issue(args) or (
        is_main_process() and (unwritable_run_dir(args) or occupied_run_dir(args))
    ):
        error(problem)
        sys.exit(2)
    # conf/hydra/launcher/*.yaml replace the plugins' options of the same name, keys and all; Hydra 1.3
    # still checks them against the plugin's schema and warns that it will stop doing so.
    warnings.filterwarnings("ignore", message=r"\s*'hydra/launcher/\w+' is validated against ConfigStore")
    sys.argv = [sys.argv[0], *normalise_overrides(args + launch_overrides(args))]
    main()
