"""Answer extraction and number normalisation (rlvr.answers), shared by rewards and evaluation."""

from __future__ import annotations

import typing

import pytest

from rlvr.answers import (
    DEFAULT_STRATEGIES,
    STRATEGIES,
    Strategy,
    extract_answer,
    numbers_match,
    parse_number,
    read_number,
    unknown_strategies,
)
from rlvr.data.gsm8k import gsm8k_gold


@pytest.mark.parametrize(
    ("text", "strategies", "expected"),
    [
        # GSM8K's final line.
        ("3 * 4 = 12\n#### 12", DEFAULT_STRATEGIES, "12"),
        # verl's bug: a trailing period after the hash answer is still that answer.
        ("#### 72.", DEFAULT_STRATEGIES, "72."),
        # Several hash lines: the last one is the answer.
        ("#### 5\nwait, no\n#### 6", DEFAULT_STRATEGIES, "6"),
        # The answer on the line after a bare ####.
        ("####\n42", DEFAULT_STRATEGIES, "42"),
        # Nested braces inside \boxed{} are kept whole.
        ("so \\boxed{\\frac{1}{2}}", DEFAULT_STRATEGIES, "\\frac{1}{2}"),
        # Two boxes: the last one counts.
        ("\\boxed{3} no, \\boxed{4}", DEFAULT_STRATEGIES, "4"),
        # An unclosed box is no answer; the last number is the fallback.
        ("\\boxed{12", DEFAULT_STRATEGIES, "12"),
        # Multi-line answer tag content, trimmed.
        ("<answer>\n  42\n</answer>", ["answer_tag"], "42"),
        # Tags in any case.
        ("<ANSWER>7</ANSWER>", ["answer_tag"], "7"),
        # The answer in the reasoning does not replace the final tag's content.
        ("<think>the answer is 5</think><answer>6</answer>", ["answer_tag", "answer_is"], "6"),
        # A tag without a number is still the answer span: later strategies do not rescue it.
        ("<think>it is 72</think><answer>no idea</answer>", ["answer_tag", "last_number"], "no idea"),
        # "The answer is" up to the end of its line.
        ("So the answer is 18 apples.\nDone.", ["answer_is"], "18 apples."),
        # "Final answer:" form.
        ("Final answer: $5", ["answer_is"], "$5"),
        # "Answer:" form.
        ("Answer: -3", ["answer_is"], "-3"),
        # Last-number fallback ignores digits glued to identifiers (x2).
        ("we have x2 and then 15 left", ["last_number"], "15"),
        # Unicode minus is read as a minus sign.
        ("#### \u22125", DEFAULT_STRATEGIES, "-5"),
        # An empty \boxed{} is not an answer; the next strategy (last number) is used.
        ("\\boxed{} 9", DEFAULT_STRATEGIES, "9"),
        # No strategy matches.
        ("I do not know.", DEFAULT_STRATEGIES, None),
        # Empty completion.
        ("", DEFAULT_STRATEGIES, None),
        # None completion (a missing field) is no answer, not a crash.
        (None, DEFAULT_STRATEGIES, None),
        # A YAML scalar strategy means one strategy, not its letters.
        ("#### 3", "hash", "3"),
        # Order matters: boxed before hash when configured so.
        ("\\boxed{1}\n#### 2", ["boxed", "hash"], "1"),
    ],
)
def test_extract_answer(text: str | None, strategies: list[str], expected: str | None) -> None:
    assert extract_answer(text, strategies) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Plain integer.
        ("72", 72.0),
        # Trailing period (end of sentence).
        ("72.", 72.0),
        # Leading plus.
        ("+7", 7.0),
        # Unicode minus (U+2212).
        ("\u22125", -5.0),
        # En dash used as a minus.
        ("\u20133", -3.0),
        # Thousands separators.
        ("1,234,567", 1234567.0),
        # Currency and cents.
        ("$1,234.50", 1234.5),
        # Minus before the currency sign.
        ("-$5", -5.0),
        # Minus after the currency sign.
        ("$-5", -5.0),
        # Euro sign.
        ("€30", 30.0),
        # Percent is dropped: "15%" reads 15.
        ("15%", 15.0),
        # Units after the number.
        ("72 dollars per week", 72.0),
        # Leading words.
        ("She has 18 apples", 18.0),
        # A bare decimal.
        (".5", 0.5),
        # Decimals.
        ("3.75", 3.75),
        # Plain fraction.
        ("3/4", 0.75),
        # LaTeX fraction.
        ("\\frac{3}{4}", 0.75),
        # Negative LaTeX fraction (\dfrac).
        ("-\\dfrac{1}{2}", -0.5),
        # Division by zero is no number.
        ("1/0", None),
        # Scientific notation.
        ("1.5e3", 1500.0),
        # LaTeX scientific notation.
        ("1.5 \\times 10^{3}", 1500.0),
        # A power.
        ("2^{10}", 1024.0),
        # \text{} wrapper.
        ("\\text{72 apples}", 72.0),
        # \boxed{} around an escaped dollar and a LaTeX thousands separator.
        ("\\boxed{\\$1{,}234}", 1234.0),
        # LaTeX thin space as a thousands separator.
        ("2\\,000", 2000.0),
        # Typeset narrow no-break space as a thousands separator.
        ("1\u202f000", 1000.0),
        # Escaped percent.
        ("25\\%", 25.0),
        # Markdown bold around the number.
        ("**42**", 42.0),
        # Hedged answers (two candidates) are no answer.
        ("5 or 6", None),
        # A list of numbers is a hedge too.
        ("5, 6", None),
        # A number followed by an explanation with more numbers is not a hedge.
        ("18, because 3*6 = 18", 18.0),
        # Words only.
        ("seventy-two", None),
        # Empty span.
        ("", None),
        # None span.
        (None, None),
        # A 500-digit number overflows float: no answer rather than inf.
        ("1" * 500, None),
        # An absurd exponent is refused before int() sees it.
        ("1e" + "9" * 5000, None),
        # An absurd negative exponent too (float() would quietly read 0.0).
        ("1e-" + "9" * 5000, None),
        # A huge power overflows: no answer.
        ("10^{999}", None),
        # A gold loaded from JSON as a number.
        (72, 72.0),
        # A float gold.
        (0.143, 0.143),
        # NaN is not a number here.
        (float("nan"), None),
        # Booleans are not numbers.
        (True, None),
    ],
)
def test_parse_number(text: str | float | None, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "decimals", "percent"),
    [
        # Decimals as written, trailing zeros kept.
        ("14.30", 2, False),
        # Percent sign noted.
        ("14.3%", 1, True),
        # Scientific notation shifts the decimals.
        ("2.50e-1", 3, False),
        # An integer has none.
        ("1,200", 0, False),
    ],
)
def test_read_number_written_form(text: str, decimals: int, percent: bool) -> None:
    reading = read_number(text)
    assert reading is not None and (reading.decimals, reading.percent) == (decimals, percent)


def test_strategy_type_lists_every_strategy() -> None:
    # Config validation reads choices from the Literal; it must not drift from the registry.
    assert typing.get_args(Strategy) == tuple(STRATEGIES)


def test_unknown_strategy_is_a_clear_error() -> None:
    with pytest.raises(
        ValueError, match="unknown answer-extraction strategy 'hashes'.*use any of hash, boxed"
    ):
        extract_answer("#### 1", ["hashes"])
    assert unknown_strategies(["hash", "xml", "boxed"]) == ["xml"]


@pytest.mark.parametrize(
    ("predicted", "gold", "tolerance", "expected"),
    [
        # Equal.
        (72.0, 72.0, 1e-6, True),
        # Off by one.
        (71.0, 72.0, 1e-6, False),
        # Relative tolerance for big values.
        (1_000_000.5, 1_000_000.0, 1e-6, True),
        # Missing prediction.
        (None, 72.0, 1e-6, False),
    ],
)
def test_numbers_match(predicted: float | None, gold: float, tolerance: float, expected: bool) -> None:
    assert numbers_match(predicted, gold, tolerance) is expected


def test_gsm8k_gold_drops_thousands_separators() -> None:
    assert gsm8k_gold("It is 1000+234=1,234\n#### 1,234") == "1234"


@pytest.mark.parametrize(
    "text",
    [
        # Thousands of unclosed answer tags (a lazy regex would be quadratic here).
        "<answer>" * 5_000 + "x" * 50_000,
        # Deeply nested LaTeX wrappers.
        "\\text{" * 3_000 + "1" + "}" * 3_000,
        # A long run of hash marks.
        "#### " * 10_000,
        # A megabyte of digits and commas.
        "1," * 500_000,
        # Unclosed boxes.
        "\\boxed{" * 5_000,
    ],
)
def test_adversarial_inputs_are_handled(text: str) -> None:
    # Returns (no exception, no endless backtracking); how fast is measured by
    # benchmarks/adversarial_parsing.py, not here: a loaded machine is slow, not wrong.
    assert extract_answer(text) is None or isinstance(extract_answer(text), str)
    assert parse_number(text) is None or isinstance(parse_number(text), float)
