"""Train an LLM with GRPO on verifiable rewards, configured entirely from YAML and the command line.

    python run_pipeline.py                                   # GSM8K, default model (GPU + internet)
    python run_pipeline.py experiment=smoke                  # offline CPU smoke run (~1 min)
    python run_pipeline.py train.max_steps=500 train.learning_rate=1e-5 data_component=finqa
    python run_pipeline.py -m train.learning_rate=1e-5,3e-6  # Hydra multirun sweep
    python run_pipeline.py --cfg job                         # print the composed config

This file only wires: normalise overrides → compose (Hydra) → validate (all errors at once, before
torch/trl are imported) → hand over to :mod:`rlvr.pipeline`, which builds the six components.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from rlvr.config import ConfigValidationError, group_option_issues, normalise_overrides, validate_config
from rlvr.pipeline import MODES, run  # light: components import torch/trl only when built

CONFIG_DIR = str(Path(__file__).resolve().parent / "conf")


@hydra.main(config_path=CONFIG_DIR, config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        validate_config(cfg, modes=MODES)
    except ConfigValidationError as err:
        print(f"rlvr: {err}", file=sys.stderr)
        sys.exit(2)
    run(cfg, Path(HydraConfig.get().runtime.output_dir))


if __name__ == "__main__":
    if issues := group_option_issues(sys.argv[1:]):
        print(f"rlvr: {ConfigValidationError(issues)}", file=sys.stderr)
        sys.exit(2)
    sys.argv = [sys.argv[0], *normalise_overrides(sys.argv[1:])]
    main()
