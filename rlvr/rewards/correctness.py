"""Answer-correctness rewards: strings in, float out, no state.

* :func:`numeric_correctness` — the extracted answer equals the gold number within a tolerance (GSM8K).
* :func:`symbolic_correctness` — equivalence through math-verify (``\\frac{1}{\\sqrt 2}`` = ``\\frac{\\sqrt 2}{2}``),
  with the numeric rule as a fast path when both sides are plain numbers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from rlvr.answer_numbers import readings_match
from rlvr.answers import (
    DEFAULT_STRATEGIES,
    NUMBER_PATTERN,
    Strategy,
    extract_answer,
    is_correct,
    normalise,
    read_number,
)
from rlvr.rewards.judge import correctness


@correctness("correct_reward")
def numeric_correctness(
    completion: str,
    answer: str,
    correct_reward: float = 2.0,
    incorrect_reward: float = 0.0,
    tolerance: float = 1e-6,
    strategies: Sequence[Strategy] = DEFAULT_STRATEGIES,
) -> float:
    """``correct_reward`` when the number extracted from ``completion`` (by ``strategies``, in order)
    equals the gold ``answer`` within ``tolerance``; ``incorrect_reward`` otherwise."""
    return correct_reward if is_correct(completion, answer, strategies, tolerance) else incorrect_reward


# A plain number, optionally with currency, %, and unit words after it ("$1,234.50", "72 dollars"); a
# single letter glued to it is a variable ("3x"), left to math-verify.
_PLAIN_RE = re.compile(
    rf"\s*[-+]?\s?[$€£¥₹]?\s?-?{NUMBER_PATTERN}(?:\s*/\s*{NUMBER_PATTERN})?\s*%?"
    r"(?:\s+[A-Za-z]+|[A-Za-z]{2,})*\s*\.?\s*"
)


# The whole span inside one pair of unescaped math dollars ("$14{,}916$"); "\\$5" is money, not math.
_IN_DOLLARS_RE = re.compile(r"\s*(?<!\\)\$\$?((?:[^$]|(?<=\\)\$)*)(?<!\\)\$\$?\s*")
_UNESCAPED_DOLLAR_RE = re.compile(r"(?<!\\)\$")


def _is_plain(text: str) -> bool:
    inner = _IN_DOLLARS_RE.fullmatch(text)
    return _PLAIN_RE.fullmatch(normalise(inner.group(1) if inner else text)) is not None


@correctness("correct_reward")
def symbolic_correctness(
    completion: str,
    answer: str,
    correct_reward: float = 2.0,
    incorrect_reward: float = 0.0,
    tolerance: float = 1e-6,
    strategies: Sequence[Strategy] = DEFAULT_STRATEGIES,
    timeout_seconds: int = 5,
) -> float:
    """``correct_reward`` when the extracted answer is mathematically equal to ``answer``.

    Plain numbers on both sides are compared numerically (within ``tolerance``), like
    :func:`numeric_correctness`; anything else (radicals, fractions of symbols, expressions, intervals)
    goes to math-verify. math-verify's own timeout uses ``signal.alarm``, which works only on the main
    thread, so ``timeout_seconds`` applies there and is off elsewhere: set the entry's ``timeout`` to
    bound the call from any thread."""
    span = extract_answer(completion, strategies)
    if span is None:
        return incorrect_reward
    if _is_plain(span) and _is_plain(str(answer)):
        same = readings_match(read_number(_unwrapped(span)), read_number(_unwrapped(answer)), tolerance)
        return correct_reward if same else incorrect_reward
    return correct_reward if _math_verify_equal(str(answer), span, timeout_seconds) else incorrect_reward


def _math_verify_equal(gold: str, predicted: str, timeout_seconds: int) -> bool:
    from math_verify import parse, verify  # sympy-heavy: imported on first use, not at config validation

    limit = timeout_seconds if threading.current_thread() is threading.main_thread() else None
    gold_parsed = parse(_as_latex(gold), parsing_timeout=limit)
    predicted_parsed = parse(_as_latex(predicted), parsing_timeout=limit)
    if not gold_parsed or not predicted_parsed:
        return False
    return bool(verify(gold_parsed, predicted_parsed, timeout_seconds=limit))


def _unwrapped(text: str | float) -> str | float:
    inner = _IN_DOLLARS_RE.fullmatch(text) if isinstance(text, str) else None
    return inner.group(1) if inner else text


def _as_latex(span: str) -> str:
    # math-verify reads LaTeX between unescaped $…$, \[…\] or in \boxed{}; a bare span would be read
    # loosely. Display math, not $…$: inline math ends at a newline, and a box's content often starts
    # with one (\boxed{⏎\begin{pmatrix}…}); an escaped \$ inside is money, not a delimiter.
    span = span.strip()
    if _UNESCAPED_DOLLAR_RE.search(span) or "\\boxed" in span or span.startswith(("\\[", "\\(")):
        return span
    return f"\\[ {span} \\]"
