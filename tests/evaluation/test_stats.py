"""The statistics behind eval reports, against hand-computed values."""

from __future__ import annotations

import random

import pytest

from rlvr.evaluation.stats import (
    bootstrap_ci,
    majority_correct,
    mcnemar_exact,
    mean_t_interval,
    paired_t,
    pass_at_k,
    sign_flip_exact,
    t_critical,
    t_two_sided_p,
)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (4, 1, 1, 0.25),  # pass@1 is the plain success rate
        (4, 1, 2, 0.5),  # 1 - C(3,2)/C(4,2) = 1 - 3/6
        (5, 2, 2, 0.7),  # 1 - C(3,2)/C(5,2) = 1 - 3/10
        (5, 2, 4, 1.0),  # k > wrong count (3): every draw of 4 holds a correct one
        (8, 0, 8, 0.0),  # nothing correct: never
        (8, 8, 1, 1.0),  # everything correct: always
        (10, 3, 5, 1 - 21 / 252),  # C(7,5)=21, C(10,5)=252
    ],
)
def test_pass_at_k_hand_cases(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected)


def test_pass_at_k_rejects_k_beyond_the_samples() -> None:
    with pytest.raises(ValueError, match="1 <= k <= n; got n=2, c=1, k=3"):
        pass_at_k(2, 1, 3)


@pytest.mark.parametrize(
    ("answers", "correct", "k", "expected"),
    [
        (["7", "7", "3"], [True, True, False], 3, True),  # clear majority, right
        (["3", "7", "3"], [False, True, False], 3, False),  # clear majority, wrong
        (["3", "7", "7", "7"], [False, True, True, True], 1, False),  # maj@1: the first sample alone
        (["7", "3"], [True, False], 2, True),  # tie 1-1: the answer seen first wins
        (["3", "7"], [False, True], 2, False),  # same tie, other order: the first (wrong) one wins
        (["3", "7", "7", "3"], [False, True, True, False], 4, False),  # tie 2-2: "3" appeared first
        ([None, None, "5"], [False, False, True], 3, True),  # no-answer samples do not vote
        ([None, None], [False, False], 2, False),  # nobody voted: wrong
    ],
)
def test_majority_vote_and_its_tie_rule(
    answers: list[str | None], correct: list[bool], k: int, expected: bool
) -> None:
    assert majority_correct(answers, correct, k) is expected


def test_bootstrap_is_deterministic_under_a_seed() -> None:
    values = [random.Random(i).random() for i in range(30)]  # continuous: intervals differ by seed
    first = bootstrap_ci(values, resamples=500, seed=7)
    assert first == bootstrap_ci(values, resamples=500, seed=7)
    assert first != bootstrap_ci(values, resamples=500, seed=8)
    low, high = first
    assert low <= sum(values) / len(values) <= high and 0.0 <= low < high <= 1.0


def test_bootstrap_of_constant_or_tiny_data_is_a_point() -> None:
    assert bootstrap_ci([1.0, 1.0, 1.0], resamples=100, seed=1) == (1.0, 1.0)
    assert bootstrap_ci([0.0], resamples=100, seed=1) == (0.0, 0.0)
    assert bootstrap_ci([], resamples=100, seed=1) == (0.0, 0.0)


def test_bootstrap_ci_covers_the_true_accuracy_in_simulation() -> None:
    """200 simulated eval sets of 100 problems at true accuracy 0.3: a 95 % interval should cover 0.3 in
    about 95 % of them; a percentile bootstrap at n=100 runs slightly low, so require >= 90 %."""
    rng, truth = random.Random(0), 0.3
    covered = 0
    for trial in range(200):
        values = [float(rng.random() < truth) for _ in range(100)]
        low, high = bootstrap_ci(values, resamples=300, seed=trial)
        covered += low <= truth <= high
    assert covered >= 180, f"covered {covered}/200"


@pytest.mark.parametrize(
    ("a_only", "b_only", "expected"),
    [
        (1, 5, 0.21875),  # n=6: 2·(C(6,0)+C(6,1))/2^6 = 2·7/64
        (0, 6, 0.03125),  # 2·1/64
        (3, 3, 1.0),  # balanced: capped at 1
        (0, 0, 1.0),  # no discordant row: no evidence
        (2, 10, 2 * (1 + 12 + 66) / 4096),  # n=12
    ],
)
def test_mcnemar_exact_p_values(a_only: int, b_only: int, expected: float) -> None:
    assert mcnemar_exact(a_only, b_only) == pytest.approx(expected)
    assert mcnemar_exact(b_only, a_only) == pytest.approx(expected)  # two-sided: symmetric


# --- paired tests and seed statistics, against hand-computed values -----------------------------------


def test_sign_flip_on_greedy_differences_is_mcnemar() -> None:
    """One row only a right, five only b right (−1 once, +1 five times): McNemar's 2·(1+6)/2^6."""
    assert sign_flip_exact([-1, 1, 1, 1, 1, 1, 0, 0]) == pytest.approx(0.21875)
    assert sign_flip_exact([-1, 1, 1, 1, 1, 1]) == mcnemar_exact(1, 5)


@pytest.mark.parametrize(
    ("diffs", "expected"),
    [
        ([2, 3, -1], 4 / 8),  # sums of ±2±3±1: 6, 4, 2, 0, 0, -2, -4, -6; |s| >= 4 in 4 of 8
        ([3, 2], 2 / 4),  # ±3±2: 5, 1, -1, -5; |s| >= 5 in 2 of 4
        ([4, 4, 4], 2 / 8),  # all the same sign is the most extreme of 8 patterns
        ([0, 0, 0], 1.0),  # no row differs
        ([3, -3], 1.0),  # the observed sum is 0: every pattern is as extreme
    ],
)
def test_sign_flip_exact_on_k_sample_counts(diffs: list[int], expected: float) -> None:
    assert sign_flip_exact(diffs) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.7062), (2, 4.3027), (4, 2.7764), (9, 2.2622), (30, 2.0423)],  # printed t tables, 95 %
)
def test_t_critical_matches_the_tables(df: int, expected: float) -> None:
    assert t_critical(df) == pytest.approx(expected, abs=1e-4)


def test_t_p_values_match_the_tables() -> None:
    assert t_two_sided_p(2.0, 10) == pytest.approx(0.07339, abs=1e-5)
    assert t_two_sided_p(1.0, 1) == pytest.approx(0.5)  # Cauchy: P(|T| >= 1) = 1/2
    assert t_two_sided_p(0.0, 5) == pytest.approx(1.0)


def test_mean_t_interval_over_three_seeds() -> None:
    """0.5, 0.6, 0.7: sd 0.1, half-width 4.3027 · 0.1 / √3 = 0.2484."""
    centre, low, high = mean_t_interval([0.5, 0.6, 0.7])
    assert centre == pytest.approx(0.6)
    assert (low, high) == (pytest.approx(0.6 - 0.24842, abs=1e-5), pytest.approx(0.6 + 0.24842, abs=1e-5))
    assert mean_t_interval([0.4]) == (0.4, 0.4, 0.4)  # one seed: no interval


def test_paired_t_over_matched_seeds() -> None:
    """Differences 0.1, 0.05, 0.1: mean 1/12, sd 0.028868, t = 5.0 on 2 df → p = 0.03775."""
    result = paired_t([0.5, 0.6, 0.7], [0.6, 0.65, 0.8])
    assert result["delta"] == pytest.approx(1 / 12)
    assert result["p"] == pytest.approx(0.037750, abs=1e-5)
    half = 4.302653 * 0.0288675 / 3**0.5
    assert result["low"] == pytest.approx(1 / 12 - half, abs=1e-6)
    assert result["high"] == pytest.approx(1 / 12 + half, abs=1e-6)
    assert paired_t([0.5, 0.6], [0.6, 0.7])["p"] is None  # identical differences: no spread, no test
