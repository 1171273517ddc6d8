"""Answer extraction and numeric normalisation, shared by the rewards and the evaluator.

    >>> extract_answer("3 * 4 = 12 apples.\\n#### 12.")
    '12.'
    >>> parse_number("\\\\boxed{\\\\$1{,}234.50}")
    1234.5
    >>> parse_number("5 or 6") is None          # a hedged span is no answer
    True
    >>> is_correct("The answer is \\\\frac{3}{4}.", "0.75")
    True

One module so that the reward the model is trained on and the accuracy it is judged by can never
disagree. Extraction tries named strategies in a configured order and returns the first span found
(an empty span counts as not found; a found span without a number is *not* rescued by later strategies):

* ``hash``        — GSM8K's final line, ``#### 42`` (the last one)
* ``boxed``       — the last ``\\boxed{...}`` (nested braces handled)
* ``answer_tag``  — the last ``<answer>...</answer>`` (multi-line content allowed)
* ``answer_is``   — "the (final) answer is 42" / "Answer: 42" (to the end of that line)
* ``last_number`` — the last number anywhere (a lenient fallback)

:func:`parse_number` reads the *first* number of a span and normalises it: unicode minus, leading ``+``,
currency (``$ € £ ¥ ₹``), thousands separators, ``%`` (dropped: "15%" reads 15), units and words after
the number, a trailing period, fractions (``3/4``, ``\\frac{3}{4}``), decimals, scientific notation
(``1.5e3``, ``1.5 \\times 10^{3}``) and LaTeX wrappers (``\\text{}``, ``\\boxed{}``, ``\\$``, ``\\,``,
``{,}``). A hedged span that lists several numbers ("5 or 6", "5, 6") reads as no number at all.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

#: Strategy names as a type, so config validation can check `strategies` lists from a scorer's signature.
Strategy = Literal["hash", "boxed", "answer_tag", "answer_is", "last_number"]
DEFAULT_STRATEGIES: tuple[Strategy, ...] = ("hash", "boxed", "answer_tag", "answer_is", "last_number")

#: Digits with optional thousands groups and decimals, or a bare ".5"; an exponent only right after digits.
#: Public so that rewards can build their own patterns around a number.
NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
#: Yes/no answers (FinQA asks some questions this way) and the word each one means.
YES_NO_WORDS = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}
_CURRENCY = r"(?:\$|€|£|¥|₹)"
# The lookbehind keeps digits inside identifiers ("x2", "v1.5") from counting as numbers.
_NUMBER_RE = re.compile(rf"(?<![\w.]){NUMBER_PATTERN}")
_SIGNED_RE = re.compile(
    rf"(?<![\w.])(?P<sign>[-+])?\s?{_CURRENCY}?\s?(?P<sign2>-)?(?P<num>{NUMBER_PATTERN})"
    r"(?:\s*\^\s*\{?(?P<pow>[-+]?\d+)\}?)?"
    rf"(?:\s*/\s*(?P<den>{NUMBER_PATTERN}))?"
    r"(?:\s*(?:×|\*|x)\s*10\s*\^\s*\{?(?P<exp>[-+]?\d+)\}?)?"
    r"(?P<percent>\s*%)?"
)
# A second number right after a list connector means the span hedges between answers.
_HEDGE_RE = re.compile(rf"^\s*(?:,|;|\bor\b|\band\b)\s*[-+]?\s?{_CURRENCY}?\s?\d")

_HASH_RE = re.compile(r"####[ \t]*\n?([^\n]*)")
_ANSWER_IS_RE = re.compile(
    r"(?:\b(?:final\s+answer|the\s+answer)\s*(?:is\b|:|=)|\banswer\s*:)\s*([^\n]*)", re.I
)

_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\ufe63": "-"})
# Thin and no-break spaces appear as thousands separators ("1 000") in typeset output.
_DIGIT_SPACE_RE = re.compile(r"(?<=\d)[\u2009\u202f\u00a0](?=\d{3})")
_WRAPPER_RE = re.compile(r"\\(?:text|textbf|textrm|mathrm|mathbf|mbox|boxed|fbox)\s*\{([^{}]*)\}")
# Real answers nest wrappers two or three deep; the cap keeps adversarial nesting from costing O(n^2).
_MAX_NESTING = 8
_BOXED_OPEN_RE = re.compile(r"\\boxed\s*(?:(\{)|\s([^\s$]+))")
_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_REPLACEMENTS = (
    ("\\$", "$"),
    ("\\%", "%"),
    ("{,}", ","),
    ("\\times", "×"),
    ("\\cdot", "×"),
    ("\\,", ""),
    ("\\!", ""),
    ("\\;", ""),
    ("\\:", ""),
    ("\\ ", " "),
    ("\\left", ""),
    ("\\right", ""),
    ("\\(", ""),
    ("\\)", ""),
    ("\\[", ""),
    ("\\]", ""),
)


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed")
    if start < 0:
        return None
    after = _BOXED_OPEN_RE.match(text, start)
    if after is None or not after.group(1):  # "\boxed 5": the token after a space
        return after.group(2) if after else None
    brace = after.end(1) - 1
    depth = 0
    for i in range(brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : i]
    return None


def _last_answer_tag(text: str) -> str | None:
    # rfind, not a lazy regex: findall on thousands of unclosed <answer> tags is quadratic.
    lowered = text.lower()
    end = lowered.rfind("</answer>")
    start = lowered.rfind("<answer>", 0, end) if end >= 0 else -1
    return text[start + len("<answer>") : end].strip() if start >= 0 else None


def _last(regex: re.Pattern[str]) -> Callable[[str], str | None]:
    def find(text: str) -> str | None:
        hits = regex.findall(text)
        return hits[-1].strip() if hits else None

    return find


def _last_number(text: str) -> str | None:
    hits = _NUMBER_RE.findall(text)
    return hits[-1].strip() if hits else None


STRATEGIES: dict[str, Callable[[str], str | None]] = {
    "hash": _last(_HASH_RE),
    "boxed": _last_boxed,
    "answer_tag": _last_answer_tag,
    "answer_is": _last(_ANSWER_IS_RE),
    "last_number": _last_number,
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
    text = str(text).translate(_MINUS_SIGNS)
    for name in names:
        found = STRATEGIES[name](text)
        if found:
            return found
    return None


@dataclass(frozen=True)
class NumberReading:
    """The first number of a span: its value and how it was written."""

    value: float
    #: digits after the decimal point as written ("14.30" → 2); used to round to the gold's precision
    decimals: int
    #: written with a ``%`` sign (the value is the number before it: "15%" → 15.0)
    percent: bool
    #: index in the normalised text just after the number, for callers that read a word after it
    end: int
    #: the normalised text the number was read from
    text: str


def normalise(text: str) -> str:
    """Unicode minus → ``-``, LaTeX wrappers unwrapped, ``\\frac{a}{b}`` → ``a/b``, typeset spaces removed."""
    cleaned = text.translate(_MINUS_SIGNS)
    for old, new in _LATEX_REPLACEMENTS:
        cleaned = cleaned.replace(old, new)
    previous = None
    for _ in range(_MAX_NESTING):  # unwrap nested \text{\boxed{...}} from the inside out
        if previous == cleaned:
            break
        previous = cleaned
        cleaned = _WRAPPER_RE.sub(r"\1", cleaned)
        cleaned = _FRAC_RE.sub(r"\1/\2", cleaned)
    return _DIGIT_SPACE_RE.sub("", cleaned)


def read_number(text: str | float | None) -> NumberReading | None:
    """The first number in ``text`` with its written form, or None (no number, hedged, or not finite)."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):  # a gold column loaded from JSON as a number
        text = repr(text)
    cleaned = normalise(str(text))
    match = _SIGNED_RE.search(cleaned)
    if match is None or _HEDGE_RE.match(cleaned[match.end() :]):
        return None
    try:
        value = _value(match)
    except (OverflowError, ZeroDivisionError):  # 10^{999}, 0^{-1}: not a usable answer
        return None
    if value is None or not math.isfinite(value):
        return None
    mantissa, _, exponent = match.group("num").lower().partition("e")
    shift = int(exponent or 0) + int(match.group("exp") or 0)
    decimals = max(0, (len(mantissa.split(".")[1]) if "." in mantissa else 0) - shift)
    return NumberReading(value, decimals, bool(match.group("percent")), match.end(), cleaned)


def _value(match: re.Match[str]) -> float | None:
    exponents = (match.group("num").lower().partition("e")[2], match.group("pow"), match.group("exp"))
    if any(
        e and len(e.lstrip("+-")) > 4 for e in exponents
    ):  # int() refuses absurd digit runs; none is finite
        return None
    value = float(match.group("num").replace(",", ""))
    if match.group("pow"):
        value **= int(match.group("pow"))
    if match.group("den"):
        denominator = float(match.group("den").replace(",", ""))
        if denominator == 0:
            return None
        value /= denominator
    if match.group("exp"):
        value *= 10.0 ** int(match.group("exp"))
    negative = (match.group("sign") == "-") != (match.group("sign2") == "-")
    return -value if negative else value


def parse_number(text: str | float | None) -> float | None:
    """Normalise an answer span to a float (see the module docstring); None when no number is present."""
    reading = read_number(text)
    return reading.value if reading else None


def numbers_match(predicted: float | None, gold: float | None, tolerance: float = 1e-6) -> bool:
    """True when both numbers exist and agree within ``tolerance`` (absolute, or relative for big values)."""
    if predicted is None or gold is None:
        return False
    return abs(predicted - gold) <= tolerance * max(1.0, abs(gold))


def is_correct(
    completion: str,
    gold: str | float,
    strategies: Sequence[str] = DEFAULT_STRATEGIES,
    tolerance: float = 1e-6,
) -> bool:
    """Whether the answer extracted from ``completion`` equals the gold answer numerically."""
    return numbers_match(parse_number(extract_answer(completion, strategies)), parse_number(gold), tolerance)
