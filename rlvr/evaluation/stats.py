"""The statistics behind evaluation reports, in plain Python (no torch): cheap to test by hand.

* :func:`pass_at_k` — the unbiased estimator of Chen et al. (2021): the chance that at least one of ``k``
  samples drawn without replacement from ``n`` (``c`` of them correct) is correct, ``1 - C(n-c,k)/C(n,k)``;
* :func:`majority_correct` — ``maj@k`` for one problem: the most frequent answer among the first ``k``
  samples, and whether it is right (tie rule below);
* :func:`bootstrap_ci` — a seeded percentile bootstrap interval of a mean (for a difference of two runs on
  the same rows, pass the per-row differences: the paired bootstrap);
* :func:`mcnemar_exact` — the exact McNemar test: a two-sided binomial test on the discordant pairs.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from ``n`` samples with ``c`` correct; 1.0 as soon as fewer than ``k`` are wrong."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n; got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def majority_correct(answers: Sequence[Hashable | None], correct: Sequence[bool], k: int) -> bool:
    """Whether the majority answer of the first ``k`` samples is correct.

    Samples with no answer (``None``) do not vote; when none votes the problem counts as wrong. Tie rule:
    among the answers with the most votes, the one that appears *first* in sample order wins — a fixed,
    seed-free choice, so the same table always gives the same maj@k. The winner's correctness is that of
    its first sample (all samples with one answer share one verdict under a deterministic judge)."""
    votes: dict[Hashable, int] = {}
    verdict: dict[Hashable, bool] = {}
    for answer, right in zip(answers[:k], correct[:k], strict=True):
        if answer is None:
            continue
        votes[answer] = votes.get(answer, 0) + 1
        verdict.setdefault(answer, bool(right))
    if not votes:
        return False
    top = max(votes.values())
    winner = next(answer for answer, count in votes.items() if count == top)  # dicts keep first-seen order
    return verdict[winner]


def mean(values: Sequence[float]) -> float:
    """The mean, 0.0 for no values (an empty eval split reports 0 accuracy, not an error)."""
    return sum(values) / len(values) if values else 0.0


def bootstrap_ci(
    values: Sequence[float], resamples: int = 1000, seed: int = 42, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``: ``resamples`` resamples with replacement,
    drawn from ``random.Random(seed)`` so a report is reproducible. ``(mean, mean)`` for < 2 values."""
    n = len(values)
    if n < 2 or resamples < 1:
        return (mean(values), mean(values))
    rng = random.Random(seed)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(resamples))
    tail = (1.0 - level) / 2
    low = means[max(0, math.floor(tail * resamples))]
    high = means[min(resamples - 1, math.ceil((1.0 - tail) * resamples) - 1)]
    return (low, high)


def mcnemar_exact(a_only: int, b_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts: rows only ``a`` got right and rows only
    ``b`` got right. Under "no difference" each discordant row is a fair coin: ``p = min(1, 2·P(X ≤
    min))`` with ``X ~ Binomial(a_only + b_only, 1/2)``; 1.0 when no row differs."""
    n = a_only + b_only
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(a_only, b_only) + 1)) / 2**n
    return min(1.0, 2 * tail)
