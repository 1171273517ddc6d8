"""Verifiable rewards.

A reward is a pure function ``fn(completion: str, <dataset columns it names>, **params) -> float | None``
(see :mod:`rlvr.rewards.correctness`, :mod:`rlvr.rewards.finqa`, :mod:`rlvr.rewards.format` and
:mod:`rlvr.rewards.length`). :class:`RewardSet`, the reward component, wraps each one into TRL's reward
signature with error fallback, timeout and return checks (:mod:`rlvr.rewards.adapter`), and carries the weights.
"""

from rlvr.rewards.adapter import SafeReward, completion_text
from rlvr.rewards.reward_set import RewardSet

__all__ = ["RewardSet", "SafeReward", "completion_text"]
