"""Each extraction strategy on its own: the span it reads from a completion (rlvr.answers, rlvr.answer_spans).

One case per row; cases from peers' extraction tests (open-r1/TRL's last-box rule, verl's ``####``
rule, Math-Verify's math delimiters) and from issue 23, with the lists and hedges that must read as such.
"""

from __future__ import annotations

import pytest

from rlvr.answer_spans import math_spans
from rlvr.answers import extract_answer

MATRIX = "\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}"


@pytest.mark.parametrize(
    ("strategy", "text", "expected"),
    [
        # hash: several #### lines in a row are one list of answers.
        ("hash", "#### 72\n#### 73", "72, 73"),
        # hash: the same answer twice is that answer.
        ("hash", "#### 72\n#### 72.", "72"),
        # boxed: the last box (open-r1, TRL).
        ("boxed", "First \\boxed{wrong} and then more work: \\boxed{correct}", "correct"),
        # boxed: boxes joined by "and" are one list (issue 23).
        ("boxed", "\\boxed{-2} \\text{ and } \\boxed{1}", "-2, 1"),
        # boxed: boxes in separate math spans joined by a comma.
        ("boxed", "$\\boxed{1}$, $\\boxed{-2}$", "1, -2"),
        # boxed: content with newlines is stripped (issue 23).
        ("boxed", f"\\boxed{{\n{MATRIX}\n}}", MATRIX),
        # boxed: a box inside a box is read once.
        ("boxed", "\\boxed{\\boxed{5}}", "5"),
        # boxed: a truncated last box is no answer, even after a complete one.
        ("boxed", "\\boxed{4} so \\boxed{5", None),
        # boxed: "\boxed 5" without braces.
        ("boxed", "so \\boxed 5.", "5."),
        # answer_tag: two tags in a row are one list.
        ("answer_tag", "<answer>5</answer>\n<answer>6</answer>", "5, 6"),
        # answer_tag: the tag after the reasoning.
        ("answer_tag", "<think>maybe <answer>5</answer> no</think><answer>6</answer>", "6"),
        # answer_is: the statement stops at the next statement on its line.
        ("answer_is", "The answer is 5. The answer is 6.", "5., 6."),
        # answer_is: Minerva's "Final Answer: The final answer is …".
        ("answer_is", "Final Answer: The final answer is $28$. I hope", "$28$. I hope"),
        # last_math: the last $…$ span, without its delimiters.
        ("last_math", "If $x>0$ then the domain is $(1, +\\infty)$.", "(1, +\\infty)"),
        # last_math: \( … \) and \[ … \].
        ("last_math", "so \\[ x = 4 \\] and finally \\( y = 5 \\)", "y = 5"),
        # last_math: two spans joined by "and" are one list.
        ("last_math", "The roots are $1$ and $-2$.", "1, -2"),
        # last_math: money is not math.
        ("last_math", "It costs $5 and $6 each.", None),
        # last_math: spaced delimiters close spaced (Math-Verify's "$ 9 $").
        ("last_math", "Answer $ 9 $", "9"),
        # last_math: an escaped dollar is money inside math.
        ("last_math", "worth $\\$16.20$ now", "\\$16.20"),
        # last_number: the sign is kept (issue 23).
        ("last_number", "The net change is -217.", "-217"),
        # last_number: a subtraction's operand is no answer.
        ("last_number", "so it is 10 - 5", None),
        # last_number: a fraction, not its denominator (issue 23).
        ("last_number", "so $x = \\dfrac{1}{3}$", "1/3"),
        # last_number: an accounting negative keeps its parentheses.
        ("last_number", "The net change was (217).", "(217)"),
        # last_number: a scale word after the number stays with it.
        ("last_number", "Revenue was $3.5 million.", "$3.5 million"),
        # last_number: the end of a hedge is no answer.
        ("last_number", "It is 52 or 48.", None),
        # last_number: the end of an interval is no answer.
        ("last_number", "$-[0,1)$", None),
        # last_number: an exponent is no answer.
        ("last_number", "the area is $x^{2}$", None),
        # last_number: a number glued to CJK characters (issue 23).
        ("last_number", "小明有99颗", "99"),
        # last_number: after \approx.
        ("last_number", "$x\\approx11$", "11"),
        # last_number: {,} groups are joined (issue 23).
        ("last_number", "The final answer is $14{,}916$", "14,916"),
    ],
)
def test_strategy_reads(strategy: str, text: str, expected: str | None) -> None:
    assert extract_answer(text, [strategy]) == expected


def test_math_spans_are_found_in_order_with_their_positions() -> None:
    text = "Let $a=1$ and \\(b=2\\); then $$a+b=3$$."
    assert [content for _, _, content in math_spans(text)] == ["a=1", "b=2", "a+b=3"]
    start, end, _ = math_spans(text)[-1]
    assert text[start:end] == "$$a+b=3$$"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Thousands of boxes of one answer: that answer (the group is capped, the scan linear).
        ("\\boxed{1} " * 20_000, {"boxed": "1", "last_number": "1"}),
        # Thousands of unclosed inline math spans: no math span.
        ("$x " * 20_000, {"last_math": None, "last_number": None}),
        # Thousands of display openers: no math span.
        ("\\[ " * 20_000, {"last_math": None}),
        # Thousands of answer statements of one answer on one line: that answer.
        ("The answer is 5. " * 10_000, {"answer_is": "5."}),
        # A long run of numbers joined by "or": a hedge, no answer.
        ("1 or " * 20_000 + "2", {"last_number": None, "hash": None}),
    ],
)
def test_adversarial_inputs_read_as_expected(text: str, expected: dict[str, str | None]) -> None:
    # No timing here: the suite's time budget catches a scan gone quadratic on these sizes.
    for strategy, span in expected.items():
        assert extract_answer(text, [strategy]) == span
