"""CLI overrides are normalised so that Hydra accepts what users type."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config import normalise_overrides
from tests.config.cli import run_cli
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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # a flag after the overrides moves to the front, so the companion can follow the overrides
        (
            ["data_component=finqa", "--cfg", "job"],
            ["--cfg", "job", "data_component@data=finqa", "reward_component@reward=finqa"],
        ),
        # flags anywhere, each with its value
        (
            ["data_component=finqa", "-m", "train.beta=0,0.1", "-p", "train", "-c", "job"],
            ["-m", "-p", "train", "-c", "job", "data_component@data=finqa", "++train.beta=0,0.1"]
            + ["reward_component@reward=finqa"],
        ),
        # '--info' without a value gets Hydra's default, so it cannot take the next override as its value
        (["train.beta=0", "--info"], ["--info", "all", "++train.beta=0"]),
        (["--info", "defaults", "train.beta=0"], ["--info", "defaults", "++train.beta=0"]),
        (["-i", "--cfg", "job"], ["-i", "all", "--cfg", "job"]),
        # a sweep over tasks gets no companion (one per value is another matter), and is not broken
        (["data_component=gsm8k,finqa", "--multirun"], ["--multirun", "data_component@data=gsm8k,finqa"]),
    ],
)
def test_flags_go_first_wherever_they_were_typed(given: list[str], expected: list[str]) -> None:
    assert normalise_overrides(given) == expected


@pytest.mark.parametrize(
    "args",
    [
        ["data_component=finqa", "--cfg", "job"],
        ["--cfg", "job", "data_component=finqa"],
        ["data_component=finqa", "-c", "job", "train.learning_rate=2e-5"],
    ],
)
def test_cfg_job_anywhere_on_the_command_line(args: list[str], tmp_path: Path) -> None:
    result = run_cli(args, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "_target_: rlvr.data.finqa.FinQAData" in result.stdout
    assert "_target_: rlvr.rewards.finqa.finqa_correctness" in result.stdout


def test_multirun_flag_between_overrides(tmp_path: Path) -> None:
    """A real two-job sweep (mode=score needs no model) with -m typed between overrides."""
    args = ["data_component=finqa", "-m", "reward.reward_functions[0].params.correct_reward=1.0,2.0"]
    args += ["mode=score", "input=pkg://rlvr/data/builtin/sample_completions.jsonl"]
    result = run_cli([*args, f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path, run_dir=False)
    assert result.returncode == 0, result.stderr[-2000:]
    log = result.stdout + result.stderr
    assert log.count("reward_component@reward=finqa") == 2  # one launch line per job
    assert (tmp_path / "sweep" / "0" / "scores.jsonl").exists()
    assert (tmp_path / "sweep" / "1" / "scores.jsonl").exists()


def test_multirun_with_cfg_is_refused_plainly(tmp_path: Path) -> None:
    """Hydra runs one of --multirun and --cfg per call (and says so with a traceback); we say so first."""
    result = run_cli(
        ["data_component=finqa", "-m", "train.learning_rate=1e-5,2e-5", "--cfg", "job"], tmp_path
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "command line='--cfg --multirun': Hydra runs only one of these per call" in result.stderr
    assert "drop --cfg to run the sweep" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # Non-ASCII outside quotes stops Hydra's lexer: the value is quoted.
        ("hydra.run.dir=runs/ñandú", "hydra.run.dir='runs/ñandú'"),
        ("prompts.system_prompt=Réponds en français", "prompts.system_prompt='Réponds en français'"),
        # A value holding a single quote gets double quotes.
        ("prompts.system_prompt=l'été", 'prompts.system_prompt="l\'été"'),
        # ASCII, already quoted, lists and sweeps stay as typed.
        ("train.max_steps=3", "train.max_steps=3"),
        ("hydra.run.dir='runs/ñ'", "hydra.run.dir='runs/ñ'"),
        ("data.tags=[ñ,b]", "data.tags=[ñ,b]"),
        ("seed=1,2", "seed=1,2"),
    ],
)
def test_non_ascii_values_are_quoted_for_hydra(given: str, expected: str) -> None:
    from rlvr.config.overrides import quote_non_ascii

    assert quote_non_ascii(given) == expected
