"""Reading the number a span states (rlvr.answer_numbers): one case per row.

Peer cases from Math-Verify's number and LaTeX notation tests and verl's integer canonicalisation,
the misreads of issue 23, and spans whose first number is part of an expression.
"""

from __future__ import annotations

import pytest

from rlvr.answer_numbers import allowed_error, normalise, parse_number, read_number, readings_match


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        # verl: leading zeros.
        ("033", 33.0),
        # verl: minus zero.
        ("-0", 0.0),
        # Math-Verify: \frac13 with one-character arguments.
        ("\\frac13", 1 / 3),
        # Math-Verify: \frac3{3}.
        ("\\frac3{3}", 1.0),
        # Math-Verify: \cfrac, \tfrac.
        ("\\tfrac{1}{3}", 1 / 3),
        # Math-Verify: a fraction between \left( \right).
        ("\\left( \\frac{1}{3} \\right)", 1 / 3),
        # Math-Verify: a fraction with a unit in \textbf.
        ("\\frac{1}{3} \\textbf{meters}", 1 / 3),
        # Math-Verify: "percent" is %.
        ("28 percent", 28.0),
        # Math-Verify: \mbox units and a squared unit.
        ("15\\mbox{ cm}^2", 15.0),
        # Math-Verify: a degree sign.
        ("90^\\circ", 90.0),
        # A mixed number.
        ("2\\frac{1}{2}", 2.5),
        # A number times a fraction is a product, not a mixed number: no plain value.
        ("2.5\\frac{1}{2}", None),
        # Issue 23: {,} digit groups.
        ("14{,}916", 14916.0),
        # Issue 23: {, } with a space, as Math-Verify's outputs write it.
        ("14 {, }916", 14916.0),
        # Issue 23: a number glued to CJK characters.
        ("有99颗", 99.0),
        # Issue 23: after \approx.
        ("x\\approx11", 11.0),
        # Issue 23: the numerator of an unresolved fraction is not the value.
        ("\\frac{1+\\sqrt{5}}{2}", None),
        # A coefficient of a radical.
        ("2\\sqrt{3}", None),
        # A coefficient of pi.
        ("2\\pi", None),
        # A radicand.
        ("\\sqrt{2}", None),
        # A glued variable with an operator (an expression).
        ("2x + 1", None),
        # A fraction of sums keeps its parentheses: (1+2)/3 is an expression, not 1 + 2/3.
        ("\\frac{1+2}{3}", None),
        # An expression followed by = reads its result.
        ("3 * 4 = 12 apples", 12.0),
        # A chain reads its last result.
        ("x = 5+5+1 = 11", 11.0),
        # An expression without a result has no value.
        ("10 - 5", None),
        # A subscripted variable before = (x_1 = 3).
        ("x_1 = 3", 3.0),
        # A base-5 numeral is not the number 204.
        ("204_5", None),
        # Markdown bold is not multiplication.
        ("**42**", 42.0),
        # One amount said twice is no hedge.
        ("0.60 or 60%", 0.6),
        # Two amounts are a hedge.
        ("0.60 or 70%", None),
        # \cdots is not \cdot: "1, 2, \cdots" starts a list.
        ("1, 2, \\cdots", None),
    ],
)
def test_read_number(span: str, expected: float | None) -> None:
    value = parse_number(span)
    assert value == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # \left and \right go, \leftarrow stays whole.
        ("\\left(1\\right) \\leftarrow", "(1) \\leftarrow"),
        # \cdot is ×, \cdots stays.
        ("2 \\cdot 3 \\cdots", "2 × 3 \\cdots"),
        # A command glued to digits gets a space.
        ("\\approx11", "\\approx 11"),
        # An escaped dollar is a dollar; delimiters go.
        ("\\(\\$5\\)", "$5"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("predicted", "gold", "tolerance", "expected"),
    [
        # A different integer, however large the relative tolerance (issue 23).
        ("2014", "2012", 1e-3, False),
        # The same integer written with decimals.
        ("2012.0", "2012", 1e-3, True),
        # A long exact gold against a rounded prediction: within half a unit of the prediction's precision.
        ("0.14286", "0.14285714285714285", 1e-3, True),
        # A million and one is not a million (1e-6 relative is 1.0 here).
        ("1000001", "1000000", 1e-6, False),
        # Float noise on a fraction.
        ("0.3333333", "1/3", 1e-6, True),
    ],
)
def test_readings_match(predicted: str, gold: str, tolerance: float, expected: bool) -> None:
    assert readings_match(read_number(predicted), read_number(gold), tolerance) is expected


def test_allowed_error_caps_only_the_relative_part() -> None:
    assert allowed_error(2012.0, 1e-6, 1e-3, 0) == pytest.approx(0.5)  # not 2.012
    assert allowed_error(2012.0, 3.0, 1e-3, 0) == 3.0  # an explicit absolute tolerance is kept
    assert allowed_error(0.5, 1e-6, 1e-3, 2) == pytest.approx(5e-4)  # 0.1 % of 0.5, under the cap
