"""Reward for reasoning-gym tasks: the library's own verifier, applied to the extracted answer.

Rows from :class:`rlvr.data.reasoning_gym.ReasoningGymData` carry the full task entry as JSON
(``rg_entry``); the task's ``score_answer`` compares the model's answer with it (1.0 for correct,
partial credit where the task defines it).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from rlvr.answers import extract_answer
from rlvr.rewards.judge import correctness

#: Where reasoning-gym answers are looked for (no ``last_number``: many tasks' answers are not numbers).
REASONING_GYM_STRATEGIES = ("hash", "answer_tag", "boxed", "answer_is")


@functools.lru_cache(maxsize=64)
def _scorer(task: str) -> Any:
    try:
        import reasoning_gym
    except ImportError as err:  # the data side says the same; the reward must not import the data module
        raise ImportError(
            'reward_component=reasoning_gym needs the reasoning-gym package: pip install reasoning-gym (or pip install -e ".[reasoning]")'
        ) from err
    return reasoning_gym.get_score_answer_fn(task)


@correctness("correct_reward")
def reasoning_gym_score(
    completion: str,
    rg_entry: str,
    correct_reward: float = 2.0,
    strategies: Sequence[str] = REASONING_GYM_STRATEGIES,
) -> float:
    """``correct_reward`` x the task's score (0..1) of the answer extracted by ``strategies``.

    A span that ends a sentence ("The answer is 42.", the prompts' own ``answer_is`` format) is also
    scored without that period, and the better score counts: the library's scorers compare strings, and
    give "42." half credit against "42"."""
    entry = json.loads(rg_entry)
    answer = extract_answer(completion, strategies)
    if answer is None:
        return 0.0
    score = _scorer(entry["metadata"]["source_dataset"])
    readings = [answer, answer[:-1].rstrip()] if answer.endswith(".") and len(answer) > 1 else [answer]
    return correct_reward * max(float(score(answer=reading, entry=entry)) for reading in readings)
