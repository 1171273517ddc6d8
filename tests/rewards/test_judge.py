"""Evaluation's notion of "correct" is the reward set's correctness reward at its maximum, and its format
check the reward that declares the format role (``@format_reward``) at its maximum."""

from __future__ import annotations

from rlvr.config import build
from rlvr.rewards import RewardSet
from rlvr.rewards.format import boxed_presence, format_compliance, tag_count, tag_format
from rlvr.rewards.judge import format_maximum, format_reward
from tests.conftest import compose_config


def test_finqa_accuracy_follows_the_finqa_verifier() -> None:
    judge = build(compose_config(["data_component=finqa"]).reward).judge()
    row = {"prompt": "q", "answer": "14.3%", "exe_ans": "0.14296", "answer_type": "percent"}
    assert judge.name == "finqa_correctness at its maximum 2.0"
    assert judge.is_correct("so the change is 0.143\n#### 0.143", row)  # percent <-> fraction
    assert not judge.is_correct("#### 15%", row)


def test_gsm8k_judge_is_numeric_correctness() -> None:
    judge = build(compose_config().reward).judge()
    assert judge.is_correct("#### 1,250", {"answer": "1250"})
    assert not judge.is_correct("#### 1,251", {"answer": "1250"})


def test_no_correctness_reward_means_no_judge() -> None:
    cfg = compose_config()
    rewards = build(cfg.reward)
    rewards.functions = rewards.functions[1:]  # only format_compliance left
    assert rewards.judge() is None


# --- the format role: declared with @format_reward, never guessed from parameter names -------------


@format_reward("best")
def marked_format(completion: str, best: float = 1.0) -> float:
    """`best` for a completion ending in `#### N`, else 0."""
    return best if "####" in completion else 0.0


def unmarked_format(completion: str, format_reward: float = 0.5) -> float:
    """Named like a format reward, without the marker: no format check."""
    return format_reward if "####" in completion else 0.0


def _rewards(*entries: dict) -> RewardSet:
    return RewardSet([{"_target_": f"{__name__}.{name}", "params": params} for name, params in entries])


def test_the_first_marked_reward_at_its_maximum_is_the_format_check() -> None:
    check = _rewards(("unmarked_format", {}), ("marked_format", {"best": 2.0})).format_check()
    assert check is not None and check("so\n#### 4") and not check("4")
    assert format_maximum(marked_format, {"best": 2.0}) == 2.0 and format_maximum(marked_format, {}) == 1.0


def test_a_scorer_without_the_marker_is_no_format_check() -> None:
    assert _rewards(("unmarked_format", {})).format_check() is None
    assert format_maximum(unmarked_format, {}) is None


def test_the_shipped_format_scorers_declare_their_role() -> None:
    assert [format_maximum(f, {}) for f in (format_compliance, tag_format, boxed_presence)] == [0.5] * 3
    assert format_maximum(tag_count, {}) is None  # partial credit per tag: no compliant maximum


def test_the_gsm8k_set_checks_format_with_format_compliance() -> None:
    check = build(compose_config().reward).format_check()
    assert check is not None and check("so 12\n#### 12") and not check("the answer is 12")
