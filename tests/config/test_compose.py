"""Every group option and experiment composes, and every component validates (signatures bind)."""

from __future__ import annotations

import pytest
from omegaconf import DictConfig

from rlvr.config import validate_config
from rlvr.config.overrides import COMPONENT_GROUPS
from tests.conftest import CONF_DIR, compose_config

GROUPS = COMPONENT_GROUPS  # group folder -> the node it fills


# Options that need the user's own input to validate (the YAML says so); these tests supply it.
USER_INPUT = {
    ("data_component", "generic"): [
        "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
        "data.answer_parser=hash",
    ],
}


def _options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def _skip_without_reasoning_gym(cfg: DictConfig) -> None:
    """Validation checks that reasoning-gym data has its library, which is an optional extra."""
    tasks = cfg.data.get("tasks") or {}  # a mixture's tasks count too
    targets = [
        cfg.data.get("_target_", ""),
        *[(t.get("data") or {}).get("_target_", "") for t in tasks.values()],
    ]
    if any(str(target).endswith(".ReasoningGymData") for target in targets):
        pytest.importorskip(
            "reasoning_gym", reason="needs the optional reasoning-gym extra: pip install -e '.[reasoning]'"
        )


@pytest.mark.parametrize(("group", "option"), [(g, o) for g in GROUPS for o in _options(g)])
def test_every_group_option_composes_and_validates(group: str, option: str) -> None:
    cfg = compose_config([f"{group}={option}", *USER_INPUT.get((group, option), [])])
    node = cfg[GROUPS[group]]
    assert "_target_" in node, f"{group}/{option} must build its component from _target_"
    _skip_without_reasoning_gym(cfg)
    validate_config(cfg)


@pytest.mark.parametrize("experiment", _options("experiment"))
def test_every_experiment_composes_and_validates(experiment: str) -> None:
    cfg = compose_config([f"experiment={experiment}"])
    _skip_without_reasoning_gym(cfg)
    validate_config(cfg)


def test_defaults_list_is_the_public_contract() -> None:
    text = (CONF_DIR / "config.yaml").read_text()
    for line in (
        "- data_component@data: default",
        "- model_component@model: default",
        "- training_loop_component@train: default",
        "- reward_component@reward: default",
        "- evaluation_component@eval: default",
        "- observer_component@observer: default",
        "- prompts@prompts: math_reasoning",
        "- experiment: null",
    ):
        assert line in text


def test_composed_config_has_all_seven_nodes() -> None:
    cfg = compose_config()
    assert {"data", "model", "train", "reward", "eval", "observer", "prompts"} <= set(cfg)
    assert cfg.mode == "train"
