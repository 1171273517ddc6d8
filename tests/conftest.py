"""Shared fixtures: compose configs the way run_pipeline.py does, and a tiny offline model."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

from rlvr.config import normalise_overrides

ROOT = Path(__file__).resolve().parent.parent
CONF_DIR = ROOT / "conf"
# Real GSM8K files for integration checks; tests that need them skip when absent.
GSM8K_DIR = Path(os.environ.get("RLVR_GSM8K_DIR", ROOT.parent / "shared" / "data" / "gsm8k"))


def compose_config(overrides: list[str] | None = None) -> DictConfig:
    """Compose conf/config.yaml with CLI-style overrides, normalised exactly as run_pipeline.py does."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return compose(
                config_name="config",
                overrides=normalise_overrides(overrides or []),
                return_hydra_config=False,
            )
    finally:
        GlobalHydra.instance().clear()


@pytest.fixture
def compose_cfg() -> Callable[..., DictConfig]:
    return compose_config


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
