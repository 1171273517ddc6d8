"""What one job of a Hydra sweep (``-m``) changes in its own config: its task's reward set, its W&B names.

    python run_pipeline.py -m train.learning_rate=1e-5,3e-6 observer.sinks.wandb.enabled=true
    # → group "2026-11-29/10-00-00", names "train.learning_rate=1e-05" and "train.learning_rate=3e-06"

The names are read by the train mode, so the observer gets plain values in its own keys (and
``resolved_config.yaml`` shows them) and never reads Hydra's global state; values the user set are kept.
The reward set is chosen by :mod:`rlvr.job` before validation. :mod:`rlvr.sweep_summary` reads the jobs'
results after the sweep.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, open_dict


def sweep_run_names(cfg: DictConfig) -> None:
    """Fill ``observer.sinks.wandb.group``/``name`` when this is one job of a sweep and they are unset."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    wandb = ((cfg.get("observer") or {}).get("sinks") or {}).get("wandb")
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


def with_task_rewards(cfg: DictConfig) -> DictConfig:
    """In a sweep over tasks (``-m data_component=gsm8k,finqa``), give each job its task's reward set.

    A single run gets ``reward_component=<task>`` added to its command line before Hydra
    (:func:`rlvr.config.overrides.companion_overrides`); a sweep cannot, because the task differs per job.
    So the job re-composes its own config with that choice added, when the task has a same-named reward
    set and the command line picks none."""
    from hydra import compose
    from hydra.core.hydra_config import HydraConfig

    from rlvr.config.overrides import CONF_DIR

    if not HydraConfig.initialized():
        return cfg
    hydra = HydraConfig.get()
    task = hydra.runtime.choices.get("data_component@data")
    overrides = list(hydra.overrides.task)
    picked = any(o.lstrip("+").startswith("reward_component") for o in overrides)
    if picked or not task or not (CONF_DIR / "reward_component" / f"{task}.yaml").exists():
        return cfg
    if hydra.runtime.choices.get("reward_component@reward") == task:
        return cfg
    return compose(config_name="config", overrides=[*overrides, f"reward_component@reward={task}"])
