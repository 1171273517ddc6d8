"""The FinQA reader as the ``finqa`` preset runs it (``prompts=finqa_reasoning``): one case per row.

Cases come from reading a public FinQA environment's reward tests (OpenEnv's
``tests/envs/test_finqa_environment.py``: boxed golds, percent equivalence, accounting negatives,
tolerance) plus the misreads of issue 23 and adversarial completions that must never score full marks.

Deliberate difference: that environment accepts anything within 1 % *and* 1.0 of the gold; we accept
0.1 % (``rel_tolerance``), never wider than half a unit of the coarser precision written, or a prediction
that rounds to the gold as written (``round_to_gold``). A prediction less precise than the gold is
therefore wrong unless within 0.1 %, and a different integer is always wrong: a policy trained on the
reward should state the gold's precision, and 1 % of a large amount is a different answer.
"""

from __future__ import annotations

import pytest

from rlvr.rewards.finqa import finqa_correctness
from tests.rewards.preset_params import correctness_params

RIGHT, WRONG = 2.0, 0.0

PEER_CASES = [
    # Exact match.
    ("#### 6.118", "6.118", RIGHT),
    # A boxed prediction.
    ("\\boxed{6.118}", "6.118", RIGHT),
    # A boxed gold, the prediction within our tolerance and theirs (0.002 < 0.1 % of 6.118 … capped at 0.005).
    ("#### 6.12", "\\boxed{6.118}", RIGHT),
    # Deliberate difference: 6.1 is within their 1 % but is 6.118 rounded coarser than written.
    ("#### 6.1", "6.118", WRONG),
    # Far off.
    ("#### 5.0", "6.118", WRONG),
    # An escaped percent in a boxed gold, the prediction with a plain %.
    ("#### 6.280%", "\\boxed{6.280\\%}", RIGHT),
    # Fewer trailing zeros than the gold.
    ("#### 6.28%", "\\boxed{6.280\\%}", RIGHT),
    # The fraction of a percent gold.
    ("#### 0.0628", "\\boxed{6.280\\%}", RIGHT),
    # A negative percent gold inside \( \boxed{} \).
    ("#### -0.606%", "\\(\\boxed{-0.606\\%}\\)", RIGHT),
    # Deliberate difference: 6.29% is 0.01 off a gold written to 0.001 (they accept within 1 %).
    ("#### 6.29%", "\\boxed{6.280\\%}", WRONG),
    # 7.00% is wrong for both.
    ("#### 7.00%", "\\boxed{6.280\\%}", WRONG),
    # Deliberate difference: 25.1% is 25.144% rounded coarser than the gold (they accept within 1 %).
    ("#### 25.1%", "\\boxed{25.144\\%}", WRONG),
    # Deliberate difference: 0.233 is not 0.232 at the precision both are written with.
    ("#### 0.233", "\\boxed{0.232}", WRONG),
    # An accounting negative against a gold with a scale word.
    ("#### (77)", "\\boxed{-77} million", RIGHT),
    # Deliberate difference: 1001 is a different integer from 1000 (within their 1 % and 1.0).
    ("#### 1001", "\\boxed{1000}", WRONG),
    # Far off for both (0.5 %, 5000 away).
    ("#### 1005000", "\\boxed{1000000}", WRONG),
    # Thousands separators on either side.
    ("#### 1234.56", "\\boxed{1,234.56}", RIGHT),
    # Zero written with a decimal.
    ("#### 0.0", "\\boxed{0}", RIGHT),
    # A percent prediction against the same number without the sign (percentage points).
    ("#### 4.5%", "\\boxed{4.500}", RIGHT),
    # A fraction against a decimal gold.
    ("#### 1/2", "\\boxed{0.5}", RIGHT),
    # A percent against a fraction gold.
    ("#### 50%", "\\boxed{1/2}", RIGHT),
    # A negative in parentheses.
    ("#### (100)", "\\boxed{-100}", RIGHT),
    # Scientific notation against a decimal.
    ("#### 1.23e-5", "\\boxed{0.0000123}", RIGHT),
    # Scientific notation against an integer.
    ("#### 1e6", "\\boxed{1000000}", RIGHT),
    # Deliberate difference: 10 % off a tiny gold, but within our abs_tolerance (1e-6, for float noise);
    # FinQA amounts are never this small (lower abs_tolerance for data where they are).
    ("#### 0.000011", "\\boxed{0.00001}", RIGHT),
    # Within abs_tolerance of a tiny gold.
    ("#### 0.00001001", "\\boxed{0.00001}", RIGHT),
    # No number in the prediction.
    ("#### abc", "\\boxed{100}", WRONG),
    # No number in the gold.
    ("#### 100", "\\boxed{abc}", WRONG),
]

ISSUE_CASES = [
    # A negative last number keeps its sign.
    ("The net change is -217.", "-217", RIGHT),
    # An accounting negative as the last number.
    ("The net change was (217).", "-217", RIGHT),
    # The same amount without the sign is wrong.
    ("The net change is 217.", "-217", WRONG),
    # A year-labelled list against the same values with the years swapped.
    ("#### 2024: 0.100, 2023: 0.500, 2022: 0.900", "2024: 0.900, 2023: 0.500, 2022: 0.100", WRONG),
    # The same labelled list in another order.
    ("#### 2022: 0.900, 2024: 0.100, 2023: 0.500", "2024: 0.100, 2023: 0.500, 2022: 0.900", RIGHT),
    # A label is not the value: "2024: 0.100" reads 0.100.
    ("#### 2024: 0.100", "0.1", RIGHT),
    # A different integer is outside the tolerance (0.1 % of 2012 is 2.0).
    ("#### 2014", "2012", WRONG),
    # "percent" is the % sign: 5 percent is 0.05.
    ("It grew 5 percent", "0.05", RIGHT),
    # "3.51 million" is written to ten thousand: within 0.1 % of the full gold.
    ("#### 3.51 million", "3512345", RIGHT),
]

ADVERSARIAL_CASES = [
    # Several labelled values for a gold with one value: a hedge.
    ("#### 2024: 0.100, 2023: 0.500", "0.1", WRONG),
    # A labelled list missing one label.
    ("#### 2024: 0.100, 2023: 0.500", "2024: 0.100, 2023: 0.500, 2022: 0.900", WRONG),
    # A labelled list with an extra label.
    ("#### 2024: 0.100, 2023: 0.500, 2021: 0.300", "2024: 0.100, 2023: 0.500", WRONG),
    # Two candidates.
    ("#### 14.3% or 15.3%", "14.3%", WRONG),
    # Two #### lines in a row.
    ("#### 14.3%\n#### 15.3%", "15.3%", WRONG),
    # A box per candidate.
    ("\\boxed{14.3\\%} \\boxed{15.3\\%}", "14.3%", WRONG),
    # One amount said twice is not a hedge.
    ("#### 14.3% (0.143)", "14.3%", RIGHT),
]


@pytest.mark.parametrize(("completion", "gold", "expected"), PEER_CASES + ISSUE_CASES + ADVERSARIAL_CASES)
def test_finqa_reader(completion: str, gold: str, expected: float) -> None:
    params = correctness_params("finqa", "finqa_reasoning")
    assert finqa_correctness(completion, gold, **params) == expected
