"""The statistics behind eval reports, against hand-computed values."""

from __future__ import annotations

import random

import pytest

from rlvr.evaluation.stats import bootstrap_ci, majority_correct, mcnemar_exact, pass_at_k


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
