"""Values, not only names, are validated: types, choices and ranges, read from the annotations of
GRPOConfig (for ``train``) and of each component's constructor — before torch or trl are imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config import ConfigIssue, ConfigValidationError, validate_config
from rlvr.config.validate import collect_issues, value_issues
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
        # a float field given text: key, value and expected type
        (["train.learning_rate=abc"], ["train.learning_rate='abc'", "expected a number", "Fix: set"]),
        # -1 is TRL's "train num_train_epochs instead": rejected, with a positive example
        (["train.max_steps=-1"], ["train.max_steps=-1", "3 epochs", "set train.max_steps to a positive"]),
        (["train.max_steps=0"], ["train.max_steps=0", "positive number of optimizer steps"]),
        # TRL lists loss types in help text only; the closest one is suggested
        (["train.loss_type=dapoo"], ["train.loss_type='dapoo'", "grpo, dr_grpo, dapo", "loss_type=dapo?"]),
        # bool | None: text is neither
        (["train.bf16=maybe"], ["train.bf16='maybe'", "a bool (true or false) or null", "train.bf16=true"]),
        # transformers' SchedulerType enum, read from its source
        (["train.lr_scheduler_type=cosin"], ["'cosin'", "constant_with_warmup", "lr_scheduler_type=cosine?"]),
        # SaveStrategy enum
        (["train.save_strategy=always"], ["train.save_strategy='always'", "no, steps, epoch, best"]),
        (["train.scale_rewards=groups"], ["train.scale_rewards='groups'", "group, batch, none, true, false"]),
        # an int field given a float
        (["train.per_device_train_batch_size=2.5"], ["per_device_train_batch_size=2.5", "expected an int"]),
        # ranges TRL never checks
        (["train.learning_rate=-1e-5"], ["train.learning_rate=-1e-05", "must be > 0"]),
        (["train.per_device_train_batch_size=0"], ["per_device_train_batch_size=0", "at least 1"]),
        (["train.gradient_accumulation_steps=0"], ["gradient_accumulation_steps=0", "at least 1"]),
        (["train.max_completion_length=0"], ["train.max_completion_length=0", "at least 1 token"]),
        (["train.temperature=0"], ["train.temperature=0", "temperature > 0"]),
        (["train.top_p=1.5"], ["train.top_p=1.5", "0 < top_p <= 1"]),
        (["train.beta=-0.1"], ["train.beta=-0.1", "cannot be negative"]),
        (["train.warmup_steps=-3"], ["train.warmup_steps=-3", "cannot be negative"]),
        # component constructors, from their own annotations (string annotations resolved)
        (["eval.max_samples=abc"], ["eval.max_samples='abc'", "expected an int or null"]),
        (["model.load_in_4bit=maybe"], ["model.load_in_4bit='maybe'", "use model.load_in_4bit=true"]),
        (
            ["observer.console=1"],
            ["observer.sinks.console.level=1", "expected one of: quiet, normal, verbose or a bool"],
        ),
        (["eval.strategies=3"], ["eval.strategies=3", "expected a list of values from: hash, boxed"]),
        # a number where text is expected: quote it
        (["model.revision=1234"], ["model.revision=1234", "model.revision='1234'"]),
    ],
)
def test_bad_value_is_reported(overrides: list[str], expected: list[str]) -> None:
    message = _errors(overrides)
    for fragment in expected:
        assert fragment in message, message


@pytest.mark.parametrize(
    "overrides",
    [
        ["train.learning_rate=1"],  # YAML and the CLI give ints for whole floats
        ["train.bf16=null"],  # Optional[bool]
        ["train.bf16=true"],
        ["train.save_strategy=no"],
        ["train.scale_rewards=false"],  # GRPOConfig maps False to "none"
        ["train.warmup_steps=10"],  # a step count or a fraction
        ["train.max_completion_length=null"],
        ["model.revision=main"],
        ["eval.max_samples=null"],
    ],
)
def test_valid_value_passes(overrides: list[str]) -> None:
    validate_config(compose_config(overrides), modes=MODES)


def test_a_key_is_reported_once_with_the_components_message() -> None:
    """The reward set's own rule for ``weights`` wins over the generic type message for the same key."""
    issues = collect_issues(compose_config(["reward.weights=abc"]), MODES)
    assert [str(i) for i in issues] == [
        "reward.weights='abc': reward.weights has a non-list entries but reward.reward_functions has 2. "
        "Fix: give one weight per function, or remove weights to use each entry's weight"
    ]


def test_parts_of_a_mistyped_value_are_not_reported() -> None:
    """A string where a list belongs: one type issue, not one per character from the component's rules."""
    issues = collect_issues(compose_config(["prompts.few_shot=abc"]), MODES)
    assert [i.key for i in issues] == ["prompts.few_shot"]


def test_mistyped_batch_fields_skip_the_batch_arithmetic() -> None:
    issues = collect_issues(compose_config(["train.num_generations=abc"]), MODES)
    assert [i.key for i in issues] == ["train.num_generations"]
    assert "expected an int or null" in str(issues[0])


def test_value_error_fails_fast_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli(["train.learning_rate=abc"], tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "train.learning_rate='abc': expected a number (got str)" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "run" / "resolved_config.yaml").exists()


def test_value_errors_need_no_heavy_import(tmp_path: Path) -> None:
    result = run_cli(["train.loss_type=dapoo", "model.load_in_4bit=maybe"], tmp_path, importtime=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "2 config error(s)" in result.stderr
    assert result.heavy == [], f"validation imported {result.heavy}"


class _Strict:
    """A component whose own rule assumes ``n`` is an int, as hand-written rules usually do."""

    def __init__(self, n: int = 1):
        pass

    @staticmethod
    def config_issues(prefix: str, kwargs: dict) -> list[ConfigIssue]:
        odd = kwargs["n"] % 2
        return [] if odd else [ConfigIssue(f"{prefix}.n", kwargs["n"], "n must be odd", "use 1")]


def test_component_rules_that_assume_types_do_not_crash_validation() -> None:
    issues = value_issues("x", _Strict, {"n": "abc"})  # 'abc' % 2 raises inside the component's rule
    assert [str(i) for i in issues] == [
        "x.n='abc': expected an int (got str). Fix: set x.n to a number, e.g. x.n=1"
    ]
    assert [i.rule for i in value_issues("x", _Strict, {"n": 2})] == ["n must be odd"]
    with pytest.raises(KeyError):  # without a type issue, a crashing rule is a bug to see, not to hide
        value_issues("x", _Strict, {})


def test_a_hub_token_in_the_config_is_refused_without_echoing_it() -> None:
    from rlvr.config import ConfigValidationError, validate_config
    from tests.conftest import compose_config

    with pytest.raises(ConfigValidationError) as caught:
        validate_config(compose_config(["train.hub_token=hf_secret123"]))
    message = str(caught.value)
    assert "train.hub_token='***'" in message and "HF_TOKEN environment variable" in message
    assert "hf_secret123" not in message
