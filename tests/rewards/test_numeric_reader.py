"""The numeric reader as the ``gsm8k`` preset runs it (``prompts=math_reasoning``): one case per row.

Cases come from reading public reward test suites (TRL's ``tests/test_rewards.py``, open-r1's
``tests/test_rewards.py``, verl's ``tests/utils/reward_score/``, Math-Verify's ``tests/test_all.py``),
rewritten as GSM8K-style completions, plus the misreads of issue 23 and adversarial completions that
must never score full marks. Expected rewards: 2.0 correct, 0.0 otherwise.
"""

from __future__ import annotations

import pytest

from rlvr.rewards.correctness import numeric_correctness
from tests.rewards.preset_params import correctness_params

RIGHT, WRONG = 2.0, 0.0

PEER_CASES = [
    # TRL/open-r1: a boxed LaTeX fraction against the gold written as a/b.
    ("So the ratio is \\boxed{\\frac{63}{400}}.", "63/400", RIGHT),
    # TRL/open-r1: a different fraction is wrong.
    ("So the ratio is \\boxed{\\frac{64}{400}}.", "63/400", WRONG),
    # TRL: a boxed number against a different plain gold.
    ("Thus \\boxed{3}.", "6", WRONG),
    # TRL: the answer boxed in the reasoning, then a different box: the last statement counts.
    ("<think>My answer is \\boxed{42}</think> Here's a wrong answer: \\boxed{43}.", "42", WRONG),
    # verl: leading zeros are the same integer.
    ("#### 033", "33", RIGHT),
    # verl: an explicit plus sign and leading zeros.
    ("#### +033", "33", RIGHT),
    # verl: minus zero is zero.
    ("#### -0", "0", RIGHT),
    # Math-Verify: thousands separators.
    ("The total is 7,425,000 dollars.", "7425000", RIGHT),
    # Math-Verify: a trailing .0.
    ("#### 1000.0", "1000", RIGHT),
    # Math-Verify: a bare leading decimal point.
    ("The answer is .4", "0.4", RIGHT),
    # Math-Verify: currency before the amount.
    ("It costs $1,000.99 in all.", "1000.99", RIGHT),
    # Math-Verify: a currency sign after the amount, and an earlier number in the sentence.
    ("the number is not 10 which is 1,000.99€", "1000.99", RIGHT),
    # Math-Verify: digits inside an identifier are no number.
    ("The code is AZYUK2A", "2", WRONG),
    # Math-Verify: "percent" and "pct" are the % sign.
    ("The loss is 28 percent", "28\\%", RIGHT),
    # Math-Verify: the same with pct.
    ("The loss is 28 pct", "28\\%", RIGHT),
    # Math-Verify: 28 is not 0.28.
    ("#### 28", "0.28", WRONG),
    # Math-Verify: the answer in $$ display math after an earlier number.
    ("Step 1 gives 3. Answer $$ 9 $$", "9", RIGHT),
    # Math-Verify (decimal comma) — deliberate difference: "1000,99" is a list of two numbers here, since
    # a comma in GSM8K-style English text separates items or thousands, never decimals.
    ("#### 1000,99", "1000.99", WRONG),
    # Math-Verify's "Final Answer: The final answer is …" (Minerva style): the statement's number.
    ("Final Answer: The final answer is $28$. I hope it is correct.", "28", RIGHT),
]

ISSUE_CASES = [
    # A negative last number keeps its sign.
    ("So the change is -5", "-5", RIGHT),
    # ...and is not the positive number.
    ("So the change is -5", "5", WRONG),
    # "The answer is -5" outside the asked #### format.
    ("The answer is -5", "-5", RIGHT),
    # A fraction in math delimiters is the fraction, not its denominator.
    ("$ 1/3 $", "1/3", RIGHT),
    # \dfrac (also \tfrac, \cfrac) is \frac.
    ("so x = \\dfrac{1}{3}", "0.3333333333333333", RIGHT),
    # \cfrac.
    ("so x = \\cfrac{1}{3}", "1/3", RIGHT),
    # \left( … \right) around a fraction.
    ("$\\left( \\frac{1}{3} \\right)$", "1/3", RIGHT),
    # A plain fraction ending the sentence.
    ("The probability is 2/3.", "2/3", RIGHT),
    # Malformed \frac13 (one-character arguments).
    ("$\\frac13$", "1/3", RIGHT),
    # Malformed \frac3{3}.
    ("$\\frac3{3}$", "1", RIGHT),
    # False positive: 2 is the denominator of (1+√5)/2, not the answer.
    ("$\\frac{1+\\sqrt{5}}{2}$", "2", WRONG),
    # False positive: 1 is the end of an interval.
    ("$-[0,1)$", "1", WRONG),
    # A box, then more text with numbers: the box is the answer (the preset reads boxed first).
    ("…so \\boxed{10}. This took 50 minutes.", "10", RIGHT),
    # {,} thousands groups.
    ("The final answer is $14{,}916$", "14916", RIGHT),
    # A number glued to CJK characters.
    ("小明有99颗", "99", RIGHT),
    # A number right after \approx.
    ("$x\\approx11$", "11", RIGHT),
    # A boxed LaTeX fraction under the numeric reward.
    ("\\boxed{\\frac{3}{4}}", "0.75", RIGHT),
    # "5 percent" against a gold written with %.
    ("It went up 5 percent", "5%", RIGHT),
    # A mixed number.
    ("Each gets 2\\frac{1}{2} pies", "2.5", RIGHT),
    # Degrees.
    ("The angle is $90^\\circ$.", "90", RIGHT),
]

ADVERSARIAL_CASES = [
    # A hedge between two answers, gold the last one.
    ("It is either 52 or 48.", "48", WRONG),
    # The same hedge, gold the first one.
    ("It is either 52 or 48.", "52", WRONG),
    # A list of candidates.
    ("Maybe 5, 6, 7 or 8", "8", WRONG),
    # A box per candidate.
    ("\\boxed{5} or \\boxed{6}", "6", WRONG),
    # Two #### lines in a row.
    ("#### 5\n#### 6", "6", WRONG),
    # Two answer statements on one line.
    ("The answer is 5. The answer is 6.", "6", WRONG),
    # Two answer tags in a row.
    ("<answer>5</answer> <answer>6</answer>", "6", WRONG),
    # A hedge inside one box.
    ("\\boxed{5 \\text{ or } 6}", "6", WRONG),
    # The same answer repeated is no hedge: it states one value.
    ("\\boxed{6} \\boxed{6}", "6", RIGHT),
    # A correction after more reasoning is no hedge: the last box counts.
    ("\\boxed{5}. Wait, 2 * 3 is 6, so \\boxed{6}", "6", RIGHT),
    # An unevaluated expression is not its last operand.
    ("so the total is 10 - 5", "5", WRONG),
    # ...nor its first.
    ("so the total is 10 - 5", "10", WRONG),
    # An exponent is not the answer.
    ("so the area is $x^2$", "2", WRONG),
    # A coefficient of a radical is not the answer.
    ("\\boxed{2\\sqrt{3}}", "2", WRONG),
    # The numerator of an unresolved fraction is not the answer either.
    ("\\boxed{\\frac{1+\\sqrt{5}}{2}}", "1", WRONG),
    # A different integer is never within tolerance, however large the relative tolerance.
    ("#### 2,000,001", "2000000", WRONG),
    # One amount said twice ("0.60 or 60%") is not a hedge.
    ("She saved $210 / $350 = 0.60 or 60%", "60", RIGHT),
    # An expression's operand before "or" does not make a list.
    ("This translates into $30 + $160 or $190", "190", RIGHT),
]


@pytest.mark.parametrize(("completion", "gold", "expected"), PEER_CASES + ISSUE_CASES + ADVERSARIAL_CASES)
def test_numeric_reader(completion: str, gold: str, expected: float) -> None:
    params = correctness_params("gsm8k", "math_reasoning")
    assert numeric_correctness(completion, gold, **params) == expected


def test_the_preset_reads_explicit_answers_before_the_last_number() -> None:
    assert correctness_params("gsm8k", "math_reasoning")["strategies"] == [
        "hash",
        "boxed",
        "answer_tag",
        "answer_is",
        "last_number",
    ]
