"""The statistics behind evaluation reports, in plain Python (no torch): cheap to test by hand.

* :func:`pass_at_k` — the unbiased estimator of Chen et al. (2021): the chance that at least one of ``k``
  samples drawn without replacement from ``n`` (``c`` of them correct) is correct, ``1 - C(n-c,k)/C(n,k)``;
* :func:`majority_correct` — ``maj@k`` for one problem: the most frequent answer among the first ``k``
  samples, and whether it is right (tie rule below);
* :func:`bootstrap_ci` — a seeded percentile bootstrap interval of a mean (for a difference of two runs on
  the same rows, pass the per-row differences: the paired bootstrap);
* :func:`mcnemar_exact` — the exact McNemar test: a two-sided binomial test on the discordant pairs;
* :func:`sign_flip_exact` — its generalisation to k samples per problem: the exact paired permutation test
  of per-row differences in correct counts (``mean@k`` tables of two models);
* :func:`mean_t_interval`, :func:`paired_t` — over a few seeds: a mean with its Student-t interval, and two
  configurations compared on matched seeds (paired t), for ``sweep_summary.md``.
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


def sign_flip_exact(diffs: Sequence[int]) -> float:
    """Two-sided exact paired permutation (sign-flip) test of integer per-row differences, e.g. correct
    samples of b minus those of a on one problem (``mean@k`` tables). Under "no difference" each row's
    difference is as likely to have either sign; ``p`` is the share of the ``2^m`` sign patterns (``m``
    non-zero rows) whose sum is at least as far from 0 as the observed one. With differences of -1, 0, 1
    (greedy tables) this is exactly :func:`mcnemar_exact`."""
    sizes = [abs(int(d)) for d in diffs if int(d) != 0]
    if all(size == 1 for size in sizes):
        return mcnemar_exact(sum(1 for d in diffs if int(d) < 0), sum(1 for d in diffs if int(d) > 0))
    observed = abs(sum(int(d) for d in diffs))
    counts: dict[int, int] = {0: 1}  # sum of the signed sizes -> how many sign patterns give it
    for size in sizes:
        step: dict[int, int] = {}
        for total, count in counts.items():
            step[total + size] = step.get(total + size, 0) + count
            step[total - size] = step.get(total - size, 0) + count
        counts = step
    extreme = sum(count for total, count in counts.items() if abs(total) >= observed)
    return min(1.0, extreme / 2 ** len(sizes))


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz, Numerical Recipes 6.4)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def _regularized_beta(x: float, a: float, b: float) -> float:
    if x <= 0.0 or x >= 1.0:
        return 0.0 if x <= 0.0 else 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: int) -> float:
    """``P(|T| >= |t|)`` for Student's t with ``df`` degrees of freedom."""
    return _regularized_beta(df / (df + t * t), df / 2.0, 0.5) if math.isfinite(t) else 0.0


def t_critical(df: int, level: float = 0.95) -> float:
    """The two-sided critical value: ``P(|T| >= value) = 1 - level`` (e.g. 4.303 for df=2 at 95 %)."""
    low, high = 0.0, 1e7
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if t_two_sided_p(middle, df) > 1.0 - level else (low, middle)
    return (low + high) / 2


def mean_t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the mean of a few independent values (one per seed) with its Student-t interval,
    ``mean ± t(n-1) · sd / sqrt(n)``; the interval is the mean itself for fewer than 2 values."""
    n, centre = len(values), mean(values)
    if n < 2:
        return centre, centre, centre
    sd = math.sqrt(sum((v - centre) ** 2 for v in values) / (n - 1))
    half = t_critical(n - 1, level) * sd / math.sqrt(n)
    return centre, centre - half, centre + half


def paired_t(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> dict[str, float | None]:
    """Paired comparison of two configurations over matched seeds: the mean of ``b - a`` with its t
    interval and the paired t-test's two-sided p (None with fewer than 2 pairs or no spread)."""
    diffs = [y - x for x, y in zip(a, b, strict=True)]
    centre, low, high = mean_t_interval(diffs, level)
    n = len(diffs)
    spread = math.sqrt(sum((d - centre) ** 2 for d in diffs) / (n - 1)) if n > 1 else 0.0
    p = t_two_sided_p(centre / (spread / math.sqrt(n)), n - 1) if n > 1 and spread > 0 else None
    return {"delta": centre, "low": low, "high": high, "p": p, "pairs": n}
