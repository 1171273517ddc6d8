"""Every group option and experiment composes, and every component validates (signatures bind)."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(("group", "option"), [(g, o) for g in GROUPS for o in _options(g)])
def test_every_group_option_composes_and_validates(group: str, option: str) -> None:
    cfg = compose_config([f"{group}={option}", *USER_INPUT.get((group, option), [])])
    node = cfg[GROUPS[group]]
    assert "_target_" in node, f"{group}/{option} must build its component from _target_"
    validate_config(cfg)


@pytest.mark.parametrize("experiment", _options("experiment"))
def test_every_experiment_composes_and_validates(experiment: str) -> None:
    cfg = compose_config([f"experiment={experiment}"])
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


def test_every_yaml_key_has_a_comment_above_it() -> None:
    """Each key line in conf/ is preceded by a comment line (list items and block-scalar text excepted)."""
    missing = []
    for path in sorted(CONF_DIR.rglob("*.yaml")):
        if path.parent.name == "experiment":
            continue  # experiments override documented keys; their header comment explains them
        lines, block_indent = path.read_text().splitlines(), None
        for i, line in enumerate(lines):
            indent = len(line) - len(line.lstrip())
            if block_indent is not None and (indent > block_indent or not line.strip()):
                continue  # continuation of a multi-line string
            block_indent = indent if line.rstrip().endswith((">-", ">", "|", "|-")) else None
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", "-", "_target_", "defaults")) or ":" not in stripped:
                continue
            if stripped.startswith("params:") or line.startswith(" " * 6):
                continue  # entries under a commented list item
            if not lines[i - 1].strip().startswith("#"):
                missing.append(f"{path.relative_to(CONF_DIR)}:{i + 1}: {stripped}")
    assert not missing, "keys without a comment above:\n" + "\n".join(missing)
