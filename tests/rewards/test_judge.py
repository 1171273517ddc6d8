"""Evaluation's notion of "correct" is the reward set's correctness reward at its maximum."""

from __future__ import annotations

from rlvr.config import build
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
