"""GRPO on a tiny model keeps training through a raising reward and an all-None reward (TRL 1.15/1.16)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from rlvr.rewards import RewardSet


def _train(
    model_dir: Path, out: Path, entries: list[dict[str, Any]]
) -> tuple[RewardSet, list[dict[str, Any]]]:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr.training import GRPOTrainingLoop

    rewards = RewardSet(entries)
    # Two prompts x two generations per step, so a step can mix failing and scorable prompts.
    loop = GRPOTrainingLoop(
        max_steps=3,
        per_device_train_batch_size=4,
        num_generations=2,
        max_completion_length=8,
        logging_steps=1,
        save_strategy="no",
        bf16=False,
        gradient_checkpointing=False,
        dataloader_num_workers=0,
        seed=0,
    )
    data = Dataset.from_list([{"prompt": f"question {n}", "answer": str(n)} for n in range(1, 10)])
    trainer = loop.build_trainer(
        AutoModelForCausalLM.from_pretrained(model_dir),
        AutoTokenizer.from_pretrained(model_dir),
        data,
        rewards.functions,
        rewards.weights,
        output_dir=out,
    )
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
