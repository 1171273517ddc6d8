"""FinQA's numeric verifier: each documented rule, its boundary, and its switch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.rewards.finqa import finqa_candidates, finqa_correctness

SAMPLE = Path(__file__).resolve().parents[2] / "rlvr" / "data" / "builtin" / "finqa_sample.json"


@pytest.mark.parametrize(
    ("prediction", "gold", "params", "expected"),
    [
        # Exact match.
        ("14.3", "14.3", {}, 2.0),
        # Percent on both sides.
        ("14.3%", "14.3%", {}, 2.0),
        # Gold percent, prediction as a fraction.
        ("0.143", "14.3%", {}, 2.0),
        # Prediction percent, gold as the executed fraction (exe_ans).
        ("14.3%", "0.143", {}, 2.0),
        # Gold percent, prediction the same number without the sign.
        ("14.3", "14.3%", {}, 2.0),
        # No percent sign on either side: 14.3 is not 0.143.
        ("14.3", "0.143", {}, 0.0),
        # Percent equivalence switched off.
        ("0.143", "14.3%", {"percent_equivalence": False}, 0.0),
        # Rounds to the gold's precision (one decimal).
        ("14.2857", "14.3", {}, 2.0),
        # Does not round to it.
        ("14.2", "14.3", {}, 0.0),
        # Less precise than the gold is wrong.
        ("14", "14.3", {}, 0.0),
        # An integer gold accepts a prediction that rounds to it.
        ("14.3", "14", {}, 2.0),
        # Rounding switched off and the relative tolerance too tight.
        ("14.3", "14", {"round_to_gold": False}, 0.0),
        # Percent and rounding together: 14.2857% is 0.142857, rounds to 0.143.
        ("14.2857%", "0.143", {}, 2.0),
        # Relative tolerance on a long exe_ans.
        ("0.14286", "0.14285714285714285", {}, 2.0),
        # Accounting negative in parentheses.
        ("(56)", "-56", {}, 2.0),
        # Accounting negative with a currency sign and spaces.
        ("$( 56 )", "-56", {}, 2.0),
        # Parentheses are a negative, not a match for the positive.
        ("(56)", "56", {}, 0.0),
        # Scale word against the full number.
        ("3.5 million", "3500000", {}, 2.0),
        # Scale word against a gold in the table's unit (millions).
        ("$3.5 million", "3.5", {}, 2.0),
        # Billion abbreviation.
        ("1.2bn", "1200000000", {}, 2.0),
        # Scale words switched off.
        ("3.5 million", "3500000", {"scale_words": False}, 0.0),
        # Thousands separators and currency.
        ("$1,234.5", "1234.5", {}, 2.0),
        # Negative with unicode minus.
        ("\u22122.5%", "-2.5%", {}, 2.0),
        # Sign matters.
        ("2.5%", "-2.5%", {}, 0.0),
        # Yes/no gold, prediction "Yes." in any case.
        ("Yes.", "yes", {}, 2.0),
        # Yes/no gold, wrong word.
        ("no", "yes", {}, 0.0),
        # true/false mean yes/no.
        ("false", "no", {}, 2.0),
        # A number is not a yes/no answer.
        ("1", "yes", {}, 0.0),
        # Wrong number.
        ("15.3", "14.3", {}, 0.0),
        # Hedged prediction.
        ("14.3 or 15.3", "14.3", {}, 0.0),
        # No number.
        ("it went up", "14.3", {}, 0.0),
        # Gold that is neither a number nor yes/no gets incorrect_reward.
        ("14.3", "n/a", {}, 0.0),
    ],
)
def test_finqa_correctness(prediction: str, gold: str, params: dict[str, Any], expected: float) -> None:
    assert finqa_correctness(f"<answer>{prediction}</answer>", gold, **params) == expected


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # The tag wins over numbers in the reasoning.
        ("<think>maybe 10%</think><answer>14.3%</answer>", 2.0),
        # "The answer is" when there is no tag.
        ("The change is big. The answer is 14.3%.", 2.0),
        # Boxed.
        ("\\boxed{14.3\\%}", 2.0),
        # The last number as the fallback.
        ("growth of 14.3", 2.0),
    ],
)
def test_finqa_extraction_order(completion: str, expected: float) -> None:
    assert finqa_correctness(completion, "14.3%") == expected


def test_finqa_candidates_list_every_reading() -> None:
    assert finqa_candidates("14.3%") == [(14.3, 1), (pytest.approx(0.143), 3)]
    # "3.5 million" is written to the hundred thousand: -5 decimals, so 3,540,000 rounds to it.
    assert finqa_candidates("3.5 million") == [(3.5, 1), (3500000.0, -5)]
    assert finqa_candidates("(56)") == [(-56.0, 0)]


def test_negative_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="rel_tolerance=-1"):
        finqa_correctness("<answer>1</answer>", "1", rel_tolerance=-1)


def test_every_bundled_finqa_gold_scores_maximum_against_itself_and_its_exe_ans() -> None:
    records = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert records
    for record in records:
        qa = record["qa"]
        gold = str(qa.get("answer") or qa["exe_ans"])
        assert finqa_correctness(f"<answer>{gold}</answer>", gold) == 2.0, gold
        # The executed program's value is what a model that computes exactly would write.
        assert finqa_correctness(f"<answer>{qa['exe_ans']}</answer>", gold) == 2.0, (gold, qa["exe_ans"])
