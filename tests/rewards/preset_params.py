"""The params a preset's correctness reward really runs with, composed from conf/ (not copied), so the
reader tables test the extraction order a user gets from ``reward_component=<preset> prompts=<prompt>``."""

from __future__ import annotations

import functools
from typing import Any

from omegaconf import OmegaConf

from tests.conftest import compose_config


@functools.cache
def correctness_params(preset: str, prompt: str) -> dict[str, Any]:
    """The resolved ``params`` of the preset's first reward function (its correctness reward)."""
    cfg = compose_config([f"reward_component={preset}", f"prompts={prompt}"])
    params = OmegaConf.to_container(cfg.reward.reward_functions[0].params, resolve=True)
    assert isinstance(params, dict)
    return params
