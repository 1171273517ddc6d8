"""Evaluation components: accuracy of the policy on held-out rows, with the rewards' answer parsing."""

from rlvr.evaluation.greedy import GreedyAccuracy

__all__ = ["GreedyAccuracy"]
