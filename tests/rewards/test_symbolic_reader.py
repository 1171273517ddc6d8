"""The symbolic reader as the ``math_symbolic`` preset runs it (``prompts=boxed``): one case per row.

Cases come from reading public reward test suites (TRL's and open-r1's ``tests/test_rewards.py``,
Math-Verify's ``tests/test_all.py``), rewritten as short MATH-style completions, plus the misreads of
issue 23 and adversarial completions that must never score full marks. 2.0 correct, 0.0 otherwise.
"""

from __future__ import annotations

import pytest

from rlvr.rewards.correctness import symbolic_correctness
from tests.rewards.preset_params import correctness_params

RIGHT, WRONG = 2.0, 0.0
MATRIX = "\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}"

PEER_CASES = [
    # TRL/open-r1: a boxed fraction against the same LaTeX gold.
    ("\\boxed{\\frac{63}{400}}", "\\frac{63}{400}", RIGHT),
    # TRL: against the gold written a/b.
    ("\\boxed{\\frac{63}{400}}", "63/400", RIGHT),
    # TRL/open-r1: a different fraction.
    ("\\boxed{\\frac{64}{400}}", "\\frac{63}{400}", WRONG),
    # TRL: a boxed integer against a different integer.
    ("\\boxed{3}", "6", WRONG),
    # Math-Verify: the box at the end of a worked solution with other math spans.
    ("Since $x<2$, $|x-2|=2-x$. Thus $x-p=\\boxed{2-2p}$.", "$2-2p$", RIGHT),
    # Math-Verify: a percent in the box.
    ("a total loss of $\\boxed{28\\%}$.", "$28\\%$", RIGHT),
    # Math-Verify: {,} digit groups in the box.
    ("Therefore, $\\boxed{14{,}916}$ is our answer.", "$14916$", RIGHT),
    # Math-Verify: a tuple with \left( \right) and \frac.
    ("polar coordinates $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$", "$(3, \\frac{\\pi}{2})$", RIGHT),
    # Math-Verify: a text answer.
    ("Therefore, $\\boxed{\\text{Evelyn}}$ is our answer.", "$\\text{Evelyn}$", RIGHT),
    # Math-Verify: degrees.
    ("the angle is $\\boxed{90^\\circ}.$", "$90^\\circ$", RIGHT),
    # Math-Verify: a radical.
    ("$\\sqrt{117} = \\boxed{3\\sqrt{13}}$", "$3\\sqrt{13}$", RIGHT),
    # Math-Verify: two roots in one box.
    ("the only integer roots are $\\boxed{-2,1}.$", "$-2,1$", RIGHT),
    # Math-Verify: an answer with \pm.
    ("$x = \\boxed{1 \\pm \\sqrt{19}}.$", "$1 \\pm \\sqrt{19}$", RIGHT),
    # Math-Verify: malformed \frac94 and \sqrt 2.
    ("Therefore $\\boxed{\\frac94\\pi}$.", "$\\frac{9}{4}\\pi$", RIGHT),
    # Math-Verify: a 2 that is not (1+√5)/2.
    ("$\\boxed{\\frac{1+\\sqrt{5}}{2}}$", "$2$", WRONG),
    # Math-Verify: a 4 that is not (34+√1358)/16.
    ("\\boxed{\\frac{34}{16}+\\frac{\\sqrt{1358}}{16}}", "$4$", WRONG),
    # Math-Verify: an open interval is not a half-open one.
    ("The final answer is $(0, 1)$. I hope it is correct.", "$[0,1)$", WRONG),
    # Math-Verify: the last = of an equation chain.
    ("We get $k = \\frac{1}{3}$.", "$1/3$", RIGHT),
    # Math-Verify: \approx ends a math span.
    ("so $x\\approx11$", "$11$", RIGHT),
    # Math-Verify: an unboxed answer in \( \).
    ("Answer \\( (9+1) \\)", "$10$", RIGHT),
    # Math-Verify: a matrix.
    (f"The matrix is $ {MATRIX} $.", f"${MATRIX}$", RIGHT),
]

ISSUE_CASES = [
    # A box whose content starts and ends with a newline, against the identical gold.
    (f"\\boxed{{\n{MATRIX}\n}}.", MATRIX, RIGHT),
    # The same box against a wrong gold: inline math ending at the newline used to read -1.
    (f"\\boxed{{\n{MATRIX}\n}}.", "-1", WRONG),
    # An escaped dollar inside the box against a gold written in $…$.
    ("worth $\\boxed{\\$16,\\!386.20}$ at the end.", "$16386.20$", RIGHT),
    # Several answers in several boxes, against a gold with several values.
    ("so $x = \\boxed{-2} \\text{ and } \\boxed{1}$", "1, -2", RIGHT),
    # The number in "The final answer is $14{,}916$" (no box).
    ("The final answer is $14{,}916$", "14916", RIGHT),
    # An unboxed interval: the last math span, not its last number.
    ("So the solution set is $(1, +\\infty)$.", "(1, \\infty)", RIGHT),
    # An unboxed list of values.
    ("The values are $n=1,2,3$", "1,2,3", RIGHT),
    # An unboxed text answer.
    ("The function is $\\text{Even}$", "\\text{Even}", RIGHT),
    # False positive: (1+√5)/2 is not 2.
    ("$\\frac{1+\\sqrt{5}}{2}$", "2", WRONG),
    # False positive: an interval is not its end.
    ("$-[0,1)$", "1", WRONG),
]

ADVERSARIAL_CASES = [
    # A box per candidate, gold one of them.
    ("\\boxed{5} or \\boxed{6}", "6", WRONG),
    # A math span per candidate.
    ("It is $5$ or $6$.", "5", WRONG),
    # A hedge inside one box.
    ("\\boxed{5 \\text{ or } 6}", "6", WRONG),
    # Boxes for a two-valued gold plus an extra candidate.
    ("\\boxed{1}, \\boxed{-2}, \\boxed{3}", "1, -2", WRONG),
    # One of the two values only.
    ("\\boxed{1}", "1, -2", WRONG),
    # One value repeated is still one of the two.
    ("\\boxed{1} \\boxed{1}", "1, -2", WRONG),
    # A list for a one-valued gold.
    ("\\boxed{-2, 1}", "1", WRONG),
    # Money in prose is not a math span ("$5 and $6" holds no math): no answer.
    ("It costs $5 and $6 each", "5", WRONG),
    # The same answer repeated is one answer.
    ("\\boxed{\\frac{1}{2}} so \\boxed{\\frac{1}{2}}", "\\frac{1}{2}", RIGHT),
    # A variable coefficient is not the plain number (3x is not 3).
    ("\\boxed{3x}", "3", WRONG),
]


@pytest.mark.parametrize(("completion", "gold", "expected"), PEER_CASES + ISSUE_CASES + ADVERSARIAL_CASES)
def test_symbolic_reader(completion: str, gold: str, expected: float) -> None:
    params = correctness_params("math_symbolic", "boxed")
    assert symbolic_correctness(completion, gold, **params) == expected


def test_the_preset_reads_the_last_math_span_before_the_last_number() -> None:
    strategies = correctness_params("math_symbolic", "boxed")["strategies"]
    assert strategies[-2:] == ["last_math", "last_number"]
    assert strategies.index("boxed") < strategies.index("answer_is") < strategies.index("last_math")
