"""Evaluation components: accuracy of the policy on held-out rows, with the rewards' answer parsing —
before, during (:mod:`rlvr.evaluation.periodic`) and after training, with pass@k / maj@k and bootstrap
CIs (:mod:`rlvr.evaluation.stats`, :mod:`rlvr.evaluation.report`)."""

from rlvr.evaluation.greedy import GreedyAccuracy

__all__ = ["GreedyAccuracy"]
