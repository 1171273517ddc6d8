"""Answer extraction, shared by the rewards and the evaluator.

    >>> extract_answer("3 * 4 = 12 apples.\\n#### 12.")
    '12.'
    >>> extract_answer("The answer is -5", ["last_number"])
    '-5'
    >>> extract_answer("so $x = \\\\dfrac{1}{3}$", ["last_number"])
    '1/3'
    >>> extract_answer("$\\\\frac{1+\\\\sqrt{5}}{2}$", ["last_number"]) is None   # 2 is a denominator
    True
    >>> extract_answer("\\\\boxed{-2} \\\\text{ and } \\\\boxed{1}", ["boxed"])
    '-2, 1'
    >>> is_correct("The answer is \\\\frac{3}{4}.", "0.75")
    True

One module so that the reward the model is trained on and the accuracy it is judged by can never
disagree. Extraction tries named strategies in a configured order and returns the first span found
(an empty span counts as not found; a found span without a number is *not* rescued by later strategies):

* ``hash``        — GSM8K's final line, ``#### 42`` (the last one)
* ``boxed``       — the last ``\\boxed{...}`` (nested braces handled, content stripped)
* ``answer_tag``  — the last ``<answer>...</answer>`` (multi-line content allowed)
* ``answer_is``   — "the (final) answer is 42" / "Answer: 42" (to the end of that line, or to the next
  such statement on it)
* ``last_math``   — the last math span, ``$...$``, ``$$...$$``, ``\\(...\\)`` or ``\\[...\\]``, without its
  delimiters (a single ``$`` as Pandoc reads it, so money is not math)
* ``last_number`` — the last number of the normalised text, with its sign, fraction and ``%``; no answer
  when that number is part of an expression (``\\frac{1+\\sqrt{5}}{2}``, ``x^2``, ``10 - 5``) or ends a list
  (``5 or 6``, ``[0,1)``). An amount alone in parentheses keeps them (``(217)``: FinQA reads a negative).

For every strategy but ``last_number``, answers written one right after another, separated only by
list connectors (``\\boxed{-2} and \\boxed{1}``, two ``####`` lines in a row), are read together as
``-2, 1`` (see :mod:`rlvr.answer_spans`): a set for a gold with several values, a hedge otherwise.
Numbers are read by :mod:`rlvr.answer_numbers` (re-exported here).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from rlvr.answer_numbers import (
    MINUS_SIGNS,
    NUMBER_PATTERN,
    NUMBER_TOKEN_RE,
    YES_NO_WORDS,
    NumberReading,
    embedded,
    normalise,
    numbers_match,
    parse_number,
    read_number,
    reading_of,
    readings_match,
    same_amount,
    token_at,
)
from rlvr.answer_spans import final_answer_tags, final_boxes, last_math_span, trailing_group

__all__ = [
    "COMPLETION_TEMPLATES",
    "DEFAULT_STRATEGIES",
    "NUMBER_PATTERN",
    "STRATEGIES",
    "YES_NO_WORDS",
    "NumberReading",
    "Strategy",
    "extract_answer",
    "is_correct",
    "normalise",
    "numbers_match",
    "parse_number",
    "read_number",
    "unknown_strategies",
]

#: Strategy names as a type, so config validation can check `strategies` lists from a scorer's signature.
Strategy = Literal["hash", "boxed", "answer_tag", "answer_is", "last_math", "last_number"]
DEFAULT_STRATEGIES: tuple[Strategy, ...] = ("hash", "boxed", "answer_tag", "answer_is", "last_number")

_HASH_RE = re.compile(r"####[ \t]*\n?([^\n]*)")
_ANSWER_MARK = r"\b(?:(?:the\s+)?final\s+answer|the\s+answer)\s*(?:is\b|:|=)|\banswer\s*:"
# The span runs to the end of the line, or to the next answer statement on it ("… is 5. The answer is 6").
_ANSWER_IS_RE = re.compile(rf"(?:{_ANSWER_MARK})\s*([^\n]*?)(?=\s*(?:{_ANSWER_MARK})|\n|\Z)", re.I)
# A number right after another one and a list connector ends a list: "5 or 6", "[0,1)", "5, 6".
_LIST_BEFORE_RE = re.compile(r"[0-9%)$](?:\s*(?:,|;|\bor\b|\band\b)\s*|\s+)$")
# How far before its last run of digits a number token may start ("- $ 12.5 / 4", "1.5 × 10^{12}").
_TOKEN_REACH = 64
_SCALE_AFTER_RE = re.compile(r"\s*(?:thousand|million|billion|trillion|bn|mn)s?\b", re.I)


def _grouped(regex: re.Pattern[str], *markers: str) -> Callable[[str], str | None]:
    # A text without any marker is skipped before the regex scans it (most completions, cheaply).
    def find(text: str) -> str | None:
        if markers and not any(marker in text for marker in markers):
            return None
        return trailing_group(text, [(m.start(), m.end(), m.group(1)) for m in regex.finditer(text)])

    return find


def _last_number(text: str) -> str | None:
    cleaned = normalise(text)
    last_digit = max(map(cleaned.rfind, "0123456789"))
    if last_digit < 0:
        return None
    run = last_digit  # the last number starts shortly before its last run of digits: scan that tail only
    floor = max(0, last_digit - _TOKEN_REACH)  # a megabyte of "1,1,1…" is not walked back in Python
    while run > floor and cleaned[run - 1] in "0123456789,.":
        run -= 1
    last = None
    for last in NUMBER_TOKEN_RE.finditer(cleaned, max(0, run - _TOKEN_REACH)):  # noqa: B007
        pass
    token = token_at(cleaned, last) if last else None
    if token is None:
        return None
    start, end = token.start(), token.end()
    head = cleaned[max(0, start - 40) : start]
    if embedded(cleaned, start, end) or _ends_list(cleaned, token, head):
        return None
    span = cleaned[start:end].strip()
    if span.startswith("$") and cleaned[end:].lstrip()[:1] == "$":  # "$5$" is math, not money
        span = span[1:].lstrip()
    if not token.group("den") and head.rstrip().endswith("(") and cleaned[end:].lstrip()[:1] == ")":
        span = f"({span})"
    scale = _SCALE_AFTER_RE.match(cleaned, end)
    return span + scale.group(0) if scale else span


def _ends_list(text: str, token: re.Match[str], head: str) -> bool:
    """Whether the number ``token`` ends a list of different standalone amounts ("52 or 48", "[0,1)");
    "0.60 or 60%" restates one amount, and "3 + 4 or 7" follows an expression, not an answer."""
    listed = _LIST_BEFORE_RE.search(head)
    if listed is None:
        return False
    previous_end = token.start() - len(head) + listed.start() + 1
    previous = None
    for previous in NUMBER_TOKEN_RE.finditer(text, max(0, previous_end - 60), previous_end + 1):  # noqa: B007
        pass
    if previous is None or previous.end() < previous_end - 1:
        return True  # "$5$ or": the amount ends in a closing $ or parenthesis
    previous = token_at(text, previous) or previous  # "+ $160" is an operand, not a signed amount
    if embedded(text, previous.start(), previous.end()):
        return False
    first, last = reading_of(previous, text), reading_of(token, text)
    return first is None or last is None or not same_amount(first, last)


STRATEGIES: dict[str, Callable[[str], str | None]] = {
    "hash": _grouped(_HASH_RE),
    "boxed": final_boxes,
    "answer_tag": final_answer_tags,
    "answer_is": _grouped(_ANSWER_IS_RE, "nswer", "NSWER"),
    "last_math": last_math_span,
    "last_number": _last_number,
}


#: How a completion states its answer in each format: what each strategy reads, written out with
#: ``{reasoning}`` and ``{answer}`` (the default of ``prompts.completion_template``, used by mode=check).
COMPLETION_TEMPLATES: dict[Strategy, str] = {
    "hash": "{reasoning}\n#### {answer}",
    "boxed": "{reasoning}\nThe answer is \\boxed{{{answer}}}.",
    "answer_tag": "{reasoning}\n<answer>{answer}</answer>",
    "answer_is": "{reasoning}\nThe answer is {answer}.",
    "last_math": "{reasoning}\nSo we get ${answer}$.",
    "last_number": "{reasoning}\n{answer}",
}


def unknown_strategies(strategies: Sequence[str]) -> list[str]:
    """Names in ``strategies`` that are not extraction strategies (for config validation)."""
    return [s for s in _as_names(strategies) if s not in STRATEGIES]


def _as_names(strategies: Sequence[str] | str) -> tuple[str, ...]:
    # A YAML scalar (`strategies: hash`) means one strategy, not the letters h, a, s, h.
    return (strategies,) if isinstance(strategies, str) else tuple(strategies)


def extract_answer(text: str | None, strategies: Sequence[str] | str = DEFAULT_STRATEGIES) -> str | None:
    """The answer span found by the first strategy that matches, or None.

    Raises ValueError naming any unknown strategy (before looking at the text)."""
    names = _as_names(strategies)
    bad = unknown_strategies(names)
    if bad:
        raise ValueError(
            f"unknown answer-extraction strategy {bad[0]!r} in strategies={list(names)}; "
            f"use any of {', '.join(STRATEGIES)}"
        )
    if not text:
        return None
    text = str(text)
    text = text if text.isascii() else text.translate(MINUS_SIGNS)
    for name in dict.fromkeys(names):  # a strategy listed twice (the asked format again) runs once
        found = STRATEGIES[name](text)
        if found:
            return found
    return None


def is_correct(
    completion: str,
    gold: str | float,
    strategies: Sequence[str] = DEFAULT_STRATEGIES,
    tolerance: float = 1e-6,
) -> bool:
    """Whether the answer extracted from ``completion`` equals the gold answer numerically: within
    ``tolerance`` (absolute; relative above 1, never wider than half a unit of the coarser precision
    written, so 2014 is not 2012)."""
    return readings_match(read_number(extract_answer(completion, strategies)), read_number(gold), tolerance)
