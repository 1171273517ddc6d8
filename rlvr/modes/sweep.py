"""Names a run of a Hydra sweep (``-m``) for the observer: W&B group = the sweep, name = its overrides.

    python run_pipeline.py -m train.learning_rate=1e-5,3e-6 observer.backends=[wandb]
    # → group "2026-11-29/10-00-00", names "train.learning_rate=1e-05" and "train.learning_rate=3e-06"

Read here, in a mode, so the observer gets plain values in its own keys (and ``resolved_config.yaml``
shows them) and never reads Hydra's global state. Values the user set are kept.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, open_dict


def sweep_run_names(cfg: DictConfig) -> None:
    """Fill ``observer.wandb.group``/``name`` when this is one job of a sweep and they are unset."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    wandb = (cfg.get("observer") or {}).get("wandb")
    if wandb is None or not HydraConfig.initialized():
        return
    hydra = HydraConfig.get()
    if hydra.mode != RunMode.MULTIRUN:
        return
    with open_dict(cfg):
        if wandb.get("group") is None:
            wandb.group = "/".join(Path(str(hydra.sweep.dir)).parts[-2:])
        if wandb.get("name") is None:
            wandb.name = hydra.job.override_dirname or f"job{hydra.job.num}"
