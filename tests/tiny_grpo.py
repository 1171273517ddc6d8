"""A GRPO trainer on the tiny offline model, built through the pipeline's training-loop component.

Shared by the trainer-level tests (rollout backends, NaN guard, resume): the same small, fast, seeded
settings, with each test overriding what it is about.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.rewards import RewardSet

#: Settings every tiny GRPO test starts from: 2 prompts x 2 generations per step, fp32, no checkpoints.
TINY_GRPO = dict(
    max_steps=3,
    per_device_train_batch_size=4,
    num_generations=2,
    max_completion_length=8,
    learning_rate=0.05,
    logging_steps=1,
    save_strategy="no",
    bf16=False,
    gradient_checkpointing=False,
    dataloader_num_workers=0,
    seed=0,
)


def tiny_loop(**overrides: Any) -> Any:
    """The training-loop component with :data:`TINY_GRPO` and ``overrides``."""
    from rlvr.training import GRPOTrainingLoop

    return GRPOTrainingLoop(**{**TINY_GRPO, **overrides})


def tiny_trainer(
    loop: Any,
    model_dir: Path,
    out: Path,
    prompts: int = 9,
    peft_config: Any = None,
    callbacks: Any = (),
    rewards: RewardSet | None = None,
) -> Any:
    """A trainer on ``prompts`` numbered questions, rewarded by ``rewards`` (default: the share of digits,
    which varies on random text)."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed

    set_seed(0)
    rewards = rewards or RewardSet([{"_target_": "tests.scorers_for_tests.digit_share"}])
    data = Dataset.from_list([{"prompt": f"question {n}", "answer": str(n)} for n in range(1, prompts + 1)])
    return loop.build_trainer(
        AutoModelForCausalLM.from_pretrained(model_dir),
        AutoTokenizer.from_pretrained(model_dir),
        data,
        rewards.functions,
        rewards.weights,
        output_dir=out,
        peft_config=peft_config,
        callbacks=list(callbacks),
    )


def logged_steps(trainer: Any, keys: tuple[str, ...]) -> dict[int, dict[str, Any]]:
    """``{step: {key: value}}`` of the trainer's training logs."""
    return {e["step"]: {k: e[k] for k in keys} for e in trainer.state.log_history if "loss" in e}
