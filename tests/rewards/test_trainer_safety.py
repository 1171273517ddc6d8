"""GRPO on a tiny model keeps training through a raising reward and an all-None reward (TRL 1.15/1.16)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from rlvr.rewards import RewardSet
from tests.tiny_grpo import tiny_loop, tiny_trainer


def _train(
    model_dir: Path, out: Path, entries: list[dict[str, Any]]
) -> tuple[RewardSet, list[dict[str, Any]]]:
    rewards = RewardSet(entries)
    # Two prompts x two generations per step, so a step can mix failing and scorable prompts.
    trainer = tiny_trainer(tiny_loop(learning_rate=1e-6), model_dir, out, rewards=rewards)
    trainer.train()
    assert trainer.state.global_step == 3
    return rewards, [entry for entry in trainer.state.log_history if "loss" in entry]


@pytest.mark.slow
def test_training_survives_failures_and_logs_error_counts(tiny_model_dir: Path, tmp_path: Path) -> None:
    # Every third prompt (answers 3, 6, 9) makes the reward raise; 6 of the 9 prompts are drawn (seed 0).
    rewards, logs = _train(
        tiny_model_dir,
        tmp_path / "flaky",
        [
            {"_target_": "tests.rewards.scorers.raise_every_third", "name": "flaky"},
            {"_target_": "rlvr.rewards.format.integer_answer"},
        ],
    )
    assert len(logs) == 3 and all(math.isfinite(entry["loss"]) for entry in logs)
    # Logged per step through TRL's log_metric, and the same total as the set's own counter.
    logged = [entry["rewards/flaky/errors"] for entry in logs]
    assert sum(logged) == rewards.error_counts["flaky"] > 0


@pytest.mark.slow
def test_an_all_none_reward_gives_zero_advantage_not_nan(tiny_model_dir: Path, tmp_path: Path) -> None:
    _, logs = _train(
        tiny_model_dir,
        tmp_path / "abstain",
        [
            {"_target_": "tests.rewards.scorers.returns", "params": {"value": "none"}, "name": "abstain"},
        ],
    )
    # Every completion is unscorable: TRL zeroes its advantage, so the policy-gradient loss is exactly 0.
    assert logs and all(entry["loss"] == 0.0 for entry in logs)
