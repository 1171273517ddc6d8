"""Reward configuration: presets compose and build, CLI overrides reach the scorers, bad entries are named."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rlvr.config import build
from rlvr.config.validate import collect_issues, component_issues
from tests.conftest import compose_config

NUMERIC = {
    "_target_": "rlvr.rewards.correctness.numeric_correctness",
    "weight": 1.0,
    "params": {"correct_reward": 2.0, "strategies": ["hash"]},
}


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        # The default is the GSM8K set.
        ([], ["numeric_correctness", "format_compliance"]),
        # GSM8K explicitly.
        (["reward_component=gsm8k"], ["numeric_correctness", "format_compliance"]),
        # FinQA, with its data.
        (["reward_component=finqa", "data_component=finqa"], ["finqa_correctness", "format_compliance"]),
        # R1-style layout with length shaping.
        (
            ["reward_component=think_format", "prompts.answer_format=answer_tag"],
            ["numeric_correctness", "tag_format", "tag_count", "overlong_penalty"],
        ),
        # Symbolic math.
        (
            ["reward_component=math_symbolic", "prompts.answer_format=boxed"],
            ["symbolic_correctness", "boxed_presence"],
        ),
    ],
)
def test_presets_validate_and_build(overrides: list[str], names: list[str]) -> None:
    cfg = compose_config(overrides)
    assert [str(i) for i in collect_issues(cfg)] == []
    rewards = build(cfg.reward)
    assert rewards.names == names and [f.__name__ for f in rewards.functions] == names
    assert len(rewards.weights) == len(names)


def test_readme_override_reaches_the_scorer() -> None:
    cfg = compose_config(["reward.reward_functions[0].params.correct_reward=5.0", "reward.on_error=none"])
    rewards = build(cfg.reward)
    assert rewards.functions[0](None, ["#### 7"], answer=["7"]) == [5.0]
    assert rewards.functions[0].on_error == "none"


def _issues(change: Any) -> list[str]:
    kwargs: dict[str, Any] = {"reward_functions": [copy.deepcopy(NUMERIC)]}
    change(kwargs)
    return [str(i) for i in component_issues("reward", {"_target_": "rlvr.rewards.RewardSet", **kwargs})]


def _entry(**keys: Any) -> Any:
    return lambda kw: kw["reward_functions"][0].update(keys)


def _params(**keys: Any) -> Any:
    return lambda kw: kw["reward_functions"][0]["params"].update(keys)


def _target(target: str, params: dict[str, Any]) -> Any:
    return lambda kw: kw["reward_functions"].__setitem__(0, {"_target_": target, "params": params})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A valid entry has no issues.
        (lambda kw: None, None),
        # A misspelt entry key gets a suggestion.
        (
            _entry(wieght=2.0),
            "reward.reward_functions[0].wieght=2.0: unknown key: not accepted by reward.reward_functions[0]"
            " (RewardEntry). Fix: did you mean reward.reward_functions[0].weight?",
        ),
        # An unknown error policy.
        (
            _entry(on_error="ignore"),
            "reward.reward_functions[0].on_error='ignore': expected one of: zero, none, raise or null",
        ),
        # A negative timeout.
        (
            _entry(timeout=-1),
            "reward.reward_functions[0].timeout=-1: must be greater than 0 (seconds; null: no limit)",
        ),
        # A timeout given as text.
        (_entry(timeout="5s"), "reward.reward_functions[0].timeout='5s': expected a number or null"),
        # A set-wide policy is checked too.
        (lambda kw: kw.update(on_error="skip"), "reward.on_error='skip': expected one of: zero, none, raise"),
        # A set-wide timeout of 0.
        (lambda kw: kw.update(timeout=0), "reward.timeout=0: must be greater than 0"),
        # A non-numeric weight.
        (_entry(weight="high"), "reward.reward_functions[0].weight='high': expected a number (got str)"),
        # An empty task list.
        (
            _entry(tasks=[]),
            "reward.reward_functions[0].tasks=[]: tasks must be a non-empty list of task names",
        ),
        # An entry without a scorer.
        (
            lambda kw: kw["reward_functions"][0].pop("_target_"),
            "reward.reward_functions[0]._target_=None: required by reward.reward_functions[0] (RewardEntry)",
        ),
        # An entry that is not a mapping.
        (
            lambda kw: kw["reward_functions"].append("numeric"),
            "reward.reward_functions[1]='numeric': expected a mapping (got str)",
        ),
        # A misspelt param gets a suggestion.
        (
            _params(corect_reward=1.0),
            "params.corect_reward=1.0: not a parameter of rlvr.rewards.correctness."
            "numeric_correctness. Fix: did you mean reward.reward_functions[0].params."
            "correct_reward?",
        ),
        # An unknown extraction strategy.
        (
            _params(strategies=["hash", "xml"]),
            "params.strategies=['hash', 'xml']: expected a list of values from: hash, boxed",
        ),
        # A single strategy as a scalar is fine.
        (_params(strategies="boxed"), None),
        # An unknown answer format.
        (
            _target("rlvr.rewards.format.format_compliance", {"answer_format": "xml"}),
            "params.answer_format='xml': expected one of: hash, boxed",
        ),
        # An unknown reasoning tag.
        (_target("rlvr.rewards.format.tag_format", {"tag": "thinking"}), "expected one of: think, reasoning"),
        # Token ids come from the trainer, not from params.
        (
            _target("rlvr.rewards.length.overlong_penalty", {"completion_ids": [1]}),
            "filled per sample at run time",
        ),
        # A scorer's own rule (a zero buffer).
        (_target("rlvr.rewards.length.overlong_penalty", {"buffer": 0}), "must be > 0"),
        # FinQA's own rule (negative tolerance).
        (
            _target("rlvr.rewards.finqa.finqa_correctness", {"rel_tolerance": -0.1}),
            "rel_tolerance must be a number >= 0",
        ),
        # A target that cannot be imported.
        (
            _target("rlvr.rewards.nope.missing", {}),
            "reward.reward_functions[0]._target_='rlvr.rewards.nope.missing'",
        ),
        # One weight per function.
        (
            lambda kw: kw.update(weights=[1.0, 2.0]),
            "reward.weights has 2 entries but reward.reward_functions has 1",
        ),
        # Two entries logging under one name.
        (
            lambda kw: kw["reward_functions"].append(copy.deepcopy(NUMERIC)),
            "two entries log under the same name",
        ),
        # An empty list.
        (lambda kw: kw.update(reward_functions=[]), "needs a non-empty list of reward entries"),
    ],
)
def test_config_issues(change: Any, expected: str | None) -> None:
    issues = _issues(change)
    if expected is None:
        assert issues == []
    else:
        assert any(expected in issue for issue in issues), issues
