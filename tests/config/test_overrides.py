"""CLI overrides are normalised so that Hydra accepts what users type."""

from __future__ import annotations

import pytest

from rlvr.config import normalise_overrides
from tests.conftest import compose_config


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # list index in brackets becomes Hydra's dotted index, and the key is force-added
        (
            "reward.reward_functions[0].params.correct_reward=5.0",
            "++reward.reward_functions.0.params.correct_reward=5.0",
        ),
        # a GRPOConfig field the YAML does not list is reachable without '+'
        ("train.beta=0.1", "++train.beta=0.1"),
        # '+' would fail for existing keys; '++' adds or replaces
        ("+train.beta=0.1", "++train.beta=0.1"),
        # deletion keeps its prefix; list indices are respelled there too
        ("~train.beta", "~train.beta"),
        ("~reward.reward_functions[1].params", "~reward.reward_functions.1.params"),
        # group selection gets the package the defaults list gives it
        ("data_component=generic", "data_component@data=generic"),
        ("prompts=math_reasoning", "prompts=math_reasoning"),  # group and node share a name
        # experiments are selected as they are
        ("experiment=smoke", "experiment=smoke"),
        # top-level keys and hydra's own keys pass through
        ("mode=train", "mode=train"),
        ("hydra.run.dir=out", "hydra.run.dir=out"),
        # flags and their values pass through
        ("--cfg", "--cfg"),
        ("-m", "-m"),
        # sweeps keep their value syntax
        ("train.learning_rate=1e-5,3e-6", "++train.learning_rate=1e-5,3e-6"),
    ],
)
def test_normalise_override(given: str, expected: str) -> None:
    assert normalise_overrides([given]) == [expected]


def test_flag_values_are_not_rewritten() -> None:
    assert normalise_overrides(["--cfg", "job", "-p", "train.max_steps"]) == [
        "--cfg",
        "job",
        "-p",
        "train.max_steps",
    ]


def test_unlisted_grpo_field_reaches_the_train_node() -> None:
    cfg = compose_config(["train.beta=0.04", "train.epsilon_high=0.28"])
    assert cfg.train.beta == 0.04
    assert cfg.train.epsilon_high == 0.28


def test_a_task_brings_its_reward_set_unless_one_is_chosen() -> None:
    assert normalise_overrides(["data_component=finqa"]) == [
        "data_component@data=finqa",
        "reward_component@reward=finqa",
    ]
    assert normalise_overrides(["data_component=finqa", "reward_component=gsm8k"]) == [
        "data_component@data=finqa",
        "reward_component@reward=gsm8k",
    ]
    assert normalise_overrides(["data_component=generic"]) == ["data_component@data=generic"]  # no such set
    cfg = compose_config(["data_component=finqa"])
    assert cfg.reward.reward_functions[0]._target_ == "rlvr.rewards.finqa.finqa_correctness"
