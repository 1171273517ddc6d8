"""Bad configs fail fast with messages naming key, value, rule and fix — before any heavy import."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.modes import MODES
from tests.config.cli import run_cli
from tests.conftest import compose_config


def _errors(overrides: list[str]) -> str:
    with pytest.raises(ConfigValidationError) as info:
        validate_config(compose_config(overrides), modes=MODES)
    return str(info.value)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # a misspelled GRPOConfig field is named, with the closest valid field
        (["train.max_stepz=3"], ["train.max_stepz=3", "trl.GRPOConfig", "did you mean train.max_steps?"]),
        # a misspelled component key is checked against the component's signature
        (["data.max_train_sample=5"], ["data.max_train_sample=5", "did you mean data.max_train_samples?"]),
        # GRPO needs a group of at least two completions
        (["train.num_generations=1"], ["train.num_generations=1", "at least 2"]),
        # the generation batch must split into whole groups
        (["train.num_generations=3"], ["train.num_generations=3", "must be a multiple of num_generations"]),
        # weights and functions must pair up
        (
            ["reward.weights=[1.0,2.0,3.0]"],
            [
                "reward.weights has 3 entries but reward.reward_functions has 2",
                "give one weight per function",
            ],
        ),
        # reward weights belong to the reward component
        (["train.reward_weights=[1.0,1.0]"], ["train.reward_weights", "reward.reward_functions[i].weight"]),
        # a _target_ whose module does not exist
        (
            ["data._target_=rlvr.no_such_module.Loader"],
            ["data._target_='rlvr.no_such_module.Loader'", "cannot import"],
        ),
        # a reward entry with a missing module
        (
            ["reward.reward_functions[1]._target_=nowhere.reward"],
            ["reward.reward_functions[1]._target_", "cannot import"],
        ),
        # a misspelled reward param names its function
        (
            ["reward.reward_functions[0].params.corect_reward=5"],
            ["reward.reward_functions[0].params.corect_reward", "did you mean", "correct_reward"],
        ),
        # a local data file that does not exist
        (
            ["data.path=/definitely/missing.jsonl"],
            ["data.path='/definitely/missing.jsonl'", "does not exist"],
        ),
        # QLoRA needs the LoRA adapter
        (
            ["model.load_in_4bit=true", "model.lora.enabled=false"],
            ["model.load_in_4bit", "lora.enabled=true"],
        ),
        # unknown mode
        (["mode=tran"], ["mode='tran'", "known modes"]),
        # mode=score without its input file, or with a missing one
        (["mode=score"], ["input=None", "mode=score needs a JSONL file"]),
        (["mode=score", "input=/no/such.jsonl"], ["input='/no/such.jsonl'", "does not exist"]),
        # prompt template without the question
        (["prompts.user_template=hello"], ["prompts.user_template", "{question}"]),
    ],
)
def test_bad_config_is_reported(overrides: list[str], expected: list[str]) -> None:
    message = _errors(overrides)
    for fragment in expected:
        assert fragment in message


def test_all_errors_are_reported_at_once() -> None:
    message = _errors(["train.max_stepz=3", "train.num_generations=1", "reward.weights=[1.0]"])
    assert message.startswith("3 config error(s)")


def test_issue_commands_validate() -> None:
    """The commands users copy from the README validate (hub ids are not contacted at validation)."""
    for overrides in (
        [],
        ["model.model_name_or_path=unsloth/gemma-3-1b-it", "train.max_steps=500", "train.learning_rate=1e-5"],
        ["data_component=finqa"],
        ["reward.reward_functions[0].params.correct_reward=5.0"],
        ["model.load_in_4bit=true", "train.per_device_train_batch_size=8"],
    ):
        validate_config(compose_config(overrides))


def test_cli_typo_fails_fast_without_heavy_imports(tmp_path: Path) -> None:
    result = run_cli(["train.max_stepz=3"], tmp_path, importtime=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "train.max_stepz=3" in result.stderr
    assert "did you mean train.max_steps?" in result.stderr
    assert result.heavy == [], f"validation imported {result.heavy}"
    assert not (tmp_path / "run" / "resolved_config.yaml").exists()


@pytest.mark.parametrize(
    ("mode", "args", "line"),
    [
        ("score", ["input=absent.jsonl"], "input='absent.jsonl': absent.jsonl does not exist"),
        ("compare", [], "a=None: mode=compare needs two eval tables"),
        ("plot", ["input=nowhere"], "input='nowhere': no metrics.jsonl there"),
        ("profile", ["profile.samples=0"], "profile.samples=0: must be at least 1"),
    ],
)
def test_each_modes_input_rules_run_at_validation_without_heavy_imports(
    mode: str, args: list[str], line: str, tmp_path: Path
) -> None:
    """The rules live in each mode's module (``input_issues``); validation reaches them through MODES."""
    result = run_cli([f"mode={mode}", *args], tmp_path, importtime=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert line in result.stderr and result.heavy == [], (result.heavy, result.stderr[-2000:])


def test_a_modes_rules_come_from_the_registry_it_is_given() -> None:
    """Validation imports no mode: the names alone check the mode's name, the registry its inputs too."""
    from rlvr.config.validate import collect_issues

    cfg = compose_config(["mode=score"])
    assert [i.key for i in collect_issues(cfg, ("train", "score"))] == []
    assert [i.key for i in collect_issues(cfg, MODES)] == ["input"]
    assert [i.key for i in collect_issues(cfg, {"train": MODES["train"], "score": len})] == []  # no rules


def test_misspelled_group_option_suggests_the_closest(tmp_path: Path) -> None:
    result = run_cli(["data_component=finqq", "experiment=smok"], tmp_path, importtime=True)
    assert result.returncode == 2 and result.heavy == []
    assert "data_component='finqq': no such option in conf/data_component/" in result.stderr
    assert "did you mean data_component=finqa?" in result.stderr
    assert "did you mean experiment=smoke?" in result.stderr
    assert not (tmp_path / "run").exists()


def test_cfg_job_prints_all_nodes_without_heavy_imports(tmp_path: Path) -> None:
    result = run_cli(["--cfg", "job"], tmp_path, importtime=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.heavy == [], f"--cfg job imported {result.heavy}"
    for node in ("data:", "model:", "train:", "reward:", "eval:", "observer:", "prompts:"):
        assert f"\n{node}" in "\n" + result.stdout
