"""Verifiable rewards.

A reward is a pure function ``fn(completion: str, <dataset columns it names>, **params) -> float``
(see :mod:`rlvr.rewards.correctness` and :mod:`rlvr.rewards.format`). :class:`RewardSet`, the reward
component, wraps each one into TRL's reward signature and carries the weights.
"""

from rlvr.rewards.reward_set import RewardSet, completion_text

__all__ = ["RewardSet", "completion_text"]
