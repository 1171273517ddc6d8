"""GSM8K scored as lm-evaluation-harness scores it (strict-match, flexible-extract) next to the judge."""

from __future__ import annotations

import pytest

from rlvr.evaluation.lm_eval_gsm8k import add_harness_scores, harness_match


@pytest.mark.parametrize(
    ("completion", "gold", "strict", "flexible"),
    [
        ("3 + 4 = 7\n#### 7", "7", True, True),  # the GSM8K format: both filters read 7
        ("so she pays $1,250.\n#### 1,250", "1250", True, True),  # commas and $ are ignored
        ("#### 1,250.", "1250", True, True),  # a final period is ignored
        ("The answer is 72.", "72", False, True),  # no ####: strict misses, flexible reads the last number
        ("#### 72.0", "72", False, False),  # exact string match: 72.0 is not 72 (the harness's rule)
        (
            "#### 5\nthen 6 more, 11",
            "5",
            True,
            False,
        ),  # strict takes the first ####; flexible the last number
        ("####72", "72", False, True),  # strict needs the space after ####
        ("#### -3", "-3", True, True),  # negative answers
        ("no number here", "4", False, False),  # nothing read: [invalid] in the harness, wrong here
        (
            "#### 18",
            "Janet sells 16 - 3 - 4 = 9 eggs... 9 * 2 = 18\n#### 18",
            True,
            True,
        ),  # gold as a solution
    ],
)
def test_strict_and_flexible_match_like_the_harness(
    completion: str, gold: str, strict: bool, flexible: bool
) -> None:
    assert harness_match(completion, gold, "strict_match") is strict
    assert harness_match(completion, gold, "flexible_extract") is flexible


def test_columns_and_scores_with_cis() -> None:
    rows = [
        {"completion": "#### 7", "answer": "7"},
        {"completion": "The answer is 8", "answer": "8"},
        {"completion": "#### 2", "answer": "9"},
        {"completion": "it is 10", "answer": "10"},
    ]
    summary = add_harness_scores(rows, resamples=200, seed=0)
    assert [r["strict_match"] for r in rows] == [True, False, False, False]
    assert [r["flexible_extract"] for r in rows] == [True, True, False, True]
    assert summary["strict_match"] == 0.25 and summary["flexible_extract"] == 0.75
    low, high = summary["strict_match_ci"]
    assert 0.0 <= low <= 0.25 <= high <= 1.0
