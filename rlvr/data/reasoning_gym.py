"""Procedural tasks from the reasoning-gym library, generated offline from a seed.

``task`` is any reasoning-gym dataset name (``basic_arithmetic``, ``chain_sum``, ``countdown``,
``gsm_symbolic``, ...); ``task_config`` passes the task's own options (difficulty ranges, sizes). The row policy keys are
:class:`~rlvr.data.policy.RowPolicy`'s (``on_bad_row`` has nothing to act on: generated rows are whole).
Train and eval rows come from one generated dataset of ``size + eval_size`` items, so they never
overlap. Each row keeps the full reasoning-gym entry as JSON (``rg_entry``) so that the matching reward
(:func:`rlvr.rewards.reasoning_gym.reasoning_gym_score`) scores with the library's own verifier.

Optional dependency: ``pip install reasoning-gym`` (or ``pip install -e ".[reasoning]"``).
"""

from __future__ import annotations

import importlib.util
import json
from typing import Annotated, Any, Unpack

from rlvr.config.errors import ConfigIssue, closest
from rlvr.config.types import AtLeast
from rlvr.data.base import DataSplits
from rlvr.data.policy import RowPolicy
from rlvr.data.source import build_splits
from rlvr.errors import ConfigError
from rlvr.interfaces import Prompt

INSTALL_HINT = 'pip install reasoning-gym (or pip install -e ".[reasoning]")'


def import_reasoning_gym() -> Any:
    """The reasoning_gym module, or an ImportError that says how to install it."""
    try:
        import reasoning_gym
    except ImportError as err:
        raise ImportError(
            f"data_component=reasoning_gym needs the reasoning-gym package: {INSTALL_HINT}"
        ) from err
    return reasoning_gym


class ReasoningGymData:
    """``size`` training and ``eval_size`` evaluation items of one reasoning-gym task."""

    def __init__(
        self,
        task: str = "basic_arithmetic",
        size: Annotated[int, AtLeast(1)] = 1000,
        eval_size: Annotated[int, AtLeast(0)] = 100,
        task_config: dict[str, Any] | None = None,
        seed: int = 42,
        **policy: Unpack[RowPolicy],
    ):
        self.task, self.size, self.eval_size, self.seed = task, size, eval_size, seed
        self.task_config = dict(task_config or {})
        self.policy = RowPolicy.of(policy)

    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        reasoning_gym = import_reasoning_gym()
        known = sorted(reasoning_gym.factory.DATASETS)
        if self.task not in known:
            raise ConfigError(
                f"data.task={self.task!r}: not a reasoning-gym task (known tasks: {', '.join(known)}). Fix: "
                + (
                    f"did you mean data.task={guess}?"
                    if (guess := closest(self.task, known))
                    else "use one of those"
                )
            )
        items = list(
            reasoning_gym.create_dataset(
                self.task, size=self.size + self.eval_size, seed=self.seed, **self.task_config
            )
        )

        def to_example(entry: dict[str, Any]) -> dict[str, Any]:
            return {
                "prompt": prompt.build(entry["question"]),
                "answer": str(entry["answer"]),
                "question": entry["question"],
                "rg_entry": json.dumps(entry, default=str),
            }

        info = {
            "task": f"reasoning_gym/{self.task}",
            "source": "reasoning-gym",
            "seed": self.seed,
            "task_config": self.task_config,
            "skipped_bad_rows": 0,
        }
        return build_splits(items[: self.size], items[self.size :], to_example, info, self.policy, tokenizer)

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The package is installed (the keys are checked from the signature and :class:`RowPolicy`)."""
        if importlib.util.find_spec("reasoning_gym") is not None:
            return []
        target = "rlvr.data.reasoning_gym.ReasoningGymData"
        return [
            ConfigIssue(
                f"{prefix}._target_", target, "the reasoning-gym package is not installed", INSTALL_HINT
            )
        ]
