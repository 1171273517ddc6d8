"""Answer-correctness rewards: strings in, float out, no state."""

from __future__ import annotations

from collections.abc import Sequence

from rlvr.answers import DEFAULT_STRATEGIES, is_correct


def numeric_correctness(
    completion: str,
    answer: str,
    correct_reward: float = 2.0,
    incorrect_reward: float = 0.0,
    tolerance: float = 1e-6,
    strategies: Sequence[str] = DEFAULT_STRATEGIES,
) -> float:
    """``correct_reward`` when the number extracted from ``completion`` (by ``strategies``, in order)
    equals the gold ``answer`` within ``tolerance``; ``incorrect_reward`` otherwise."""
    return correct_reward if is_correct(completion, answer, strategies, tolerance) else incorrect_reward
