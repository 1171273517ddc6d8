"""Numbers in answers: LaTeX and typography normalised, the value a span states, tolerance by precision.

    >>> parse_number("\\\\boxed{\\\\$1{,}234.50}")
    1234.5
    >>> parse_number("\\\\frac13"), parse_number("-\\\\dfrac{1}{2}"), parse_number("5 percent")
    (0.3333333333333333, -0.5, 5.0)
    >>> parse_number("5 or 6") is None                        # a hedged span is no answer
    True
    >>> parse_number("\\\\frac{1+\\\\sqrt{5}}{2}") is None    # a number inside an expression is not its value
    True
    >>> parse_number("3 * 4 = 12 apples")                     # an unevaluated expression: its result
    12.0

Why one reader for every span: the reward a model is trained on, the accuracy it is judged by and the
gold answers must agree on what "the number" of a piece of text is. The rules:

* :func:`normalise` — unicode minus, ``\\frac``/``\\dfrac``/``\\tfrac``/``\\cfrac`` (also ``\\frac13``) as
  ``a/b``, mixed numbers (``2\\frac{1}{2}`` = 2.5), LaTeX wrappers (``\\text``, ``\\boxed``, ``\\mathrm`` …),
  ``\\$``, ``\\%``, ``{,}``, ``\\!``, ``\\left``/``\\right``, degree signs, typeset thousands spaces.
* :func:`read_number` — the first number of a span with its sign, currency, thousands separators,
  fraction, power, scientific notation and ``%`` (or ``percent``). No number when the span hedges ("5 or
  6", "5, 6") or when that number is part of an expression (an operand, an exponent, a radicand, a
  coefficient: ``2\\sqrt{3}``, ``x^2``); an expression followed by ``=`` reads the value after the last
  ``=`` of its clause.
* :func:`allowed_error` — a tolerance never wider than half a unit of the coarser written precision, so
  ``2014`` never matches ``2012`` however large the relative tolerance.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

#: Digits with optional thousands groups and decimals, or a bare ".5"; an exponent only right after digits.
#: Public so that rewards can build their own patterns around a number.
NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
#: Yes/no answers (FinQA asks some questions this way) and the word each one means.
YES_NO_WORDS = {"yes": "yes", "true": "yes", "no": "no", "false": "no"}
_CURRENCY = r"(?:\$|€|£|¥|₹)"
#: One number as written (sign, currency, digits, power, fraction, ×10^n, %). ASCII-only look-behind:
#: digits glued to an identifier ("x2", "v1.5") are no number, but digits after a
#: CJK character ("有99颗") are.
NUMBER_TOKEN_RE = re.compile(
    rf"(?<![0-9A-Za-z_.])(?P<sign>[-+])?\s?{_CURRENCY}?\s?(?P<sign2>-)?(?P<num>{NUMBER_PATTERN})"
    r"(?:\s*\^\s*\{?(?P<pow>[-+]?\d+)\}?)?"
    rf"(?:\s*/\s*(?P<den>{NUMBER_PATTERN}))?"
    r"(?:\s*(?:×|\*|x)\s*10\s*\^\s*\{?(?P<exp>[-+]?\d+)\}?)?"
    r"(?P<percent>\s*(?:%|percent\b|per\s?cent\b|pct\b))?"
)
# A second number right after a list connector means the span hedges between answers.
_HEDGE_RE = re.compile(rf"\s*(?:,|;|\bor\b|\band\b)\s*[-+]?\s?{_CURRENCY}?\s?\d")
_CLAUSE_END_RE = re.compile(r"\n|;|\.(?:\s|$)")

#: Unicode minus signs and dashes models write for "-".
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2012": "-", "\ufe63": "-"})
# Thin and no-break spaces appear as thousands separators ("1 000") in typeset output.
_DIGIT_SPACE_RE = re.compile(r"(?<=\d)[\u2009\u202f\u00a0](?=\d{3})")
_WRAPPERS = (
    "text|textbf|textrm|textit|textsf|textnormal|mathrm|mathbf|mathit|mathsf|mathnormal|"
    "mbox|hbox|boxed|fbox|framebox|underline|emph|operatorname"
)
_WRAPPER_RE = re.compile(rf"\\(?:{_WRAPPERS})\s*\{{([^{{}}]*)\}}")
_ARG = r"\s*(?:\{([^{}]*)\}|([0-9A-Za-z]))"  # a braced argument, or one character (\frac13)
_FRAC_RE = re.compile(rf"\\[dtc]?frac{_ARG}{_ARG}")
_MIXED_RE = re.compile(r"(?<![0-9A-Za-z_.,^{])(\d+)\s*\\[dtc]?frac\s*\{(\d+)\}\s*\{(\d+)\}")
_SIMPLE_ARG_RE = re.compile(r"\s*-?\s*(?:\d+(?:\.\d+)?|[A-Za-z])\s*")
# Commands replaced by what they mean for reading numbers (the look-ahead keeps \rightarrow, \cdots whole).
_COMMANDS = {"left": "", "right": "", "times": "×", "cdot": "×", "div": "÷", "displaystyle": ""}
_COMMAND_RE = re.compile(r"\\(left|right|times|cdot|div|displaystyle)(?![A-Za-z])")
_LITERALS = (("\\$", "$"), ("\\%", "%"), ("\\,", ""), ("\\!", ""), ("\\;", ""), ("\\:", ""), ("\\ ", " "))
_DELIMITERS_RE = re.compile(r"\\[()\[\]]")
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\degree(?![A-Za-z])")
_DIGIT_GROUP_RE = re.compile(r"\s*\{\s*,\s*\}\s*")
# A command glued to digits (\approx11, \sqrt3) gets a space, so the digits are a number of their own.
_GLUED_COMMAND_RE = re.compile(r"(\\[A-Za-z]+)(?=\d)")
# Real answers nest wrappers two or three deep; the cap keeps adversarial nesting from costing O(n^2).
_MAX_NESTING = 8

# Commands after which a number stands on its own (relations, arrows, spacing); any other command
# right before or after a number makes it part of an expression (\sqrt 3, 2\pi, \log 2).
_SEPARATOR_WORDS = (
    "approx simeq sim equiv cong le leq leqslant ge geq geqslant lt gt ne neq to rightarrow Rightarrow "
    "longrightarrow Longrightarrow implies iff therefore because quad qquad colon mid hline newline "
    "item and or"
)
_SEPARATORS = frozenset(_SEPARATOR_WORDS.split())
_TRAILING_COMMAND_RE = re.compile(r"\\([A-Za-z]+)\s*\{?$")
# After a number: an operator with an operand, a subscript or exponent, a command, or a glued variable.
_TAIL_RE = re.compile(
    r"\s*(?:[-+*/×÷^]\s*(?:\d|\\[A-Za-z]|\(|[A-Za-z](?![A-Za-z]))|_|\^|\\(?P<cmd>[A-Za-z]+))"
    r"|\s+x\s+\d"
    r"|[A-Za-z](?![A-Za-z])\s*[-+*^=(]"
)


def normalise(text: str) -> str:
    """Unicode minus → ``-``, LaTeX wrappers unwrapped, ``\\frac{a}{b}`` → ``a/b``, typeset spaces removed."""
    cleaned = text if text.isascii() else text.translate(MINUS_SIGNS)
    if "\\" not in cleaned and "{" not in cleaned:  # plain prose, most spans: nothing LaTeX to undo
        return _DIGIT_SPACE_RE.sub("", cleaned) if _has_typeset_space(cleaned) else cleaned
    cleaned = _DIGIT_GROUP_RE.sub(",", cleaned)
    for old, new in _LITERALS:
        cleaned = cleaned.replace(old, new)
    cleaned = _DELIMITERS_RE.sub("", _DEGREE_RE.sub("", cleaned))
    cleaned = _COMMAND_RE.sub(lambda m: _COMMANDS[m.group(1)], cleaned)
    cleaned = _MIXED_RE.sub(_mixed, cleaned)
    previous = None
    for _ in range(_MAX_NESTING):  # unwrap nested \text{\boxed{...}} from the inside out
        if previous == cleaned:
            break
        previous = cleaned
        cleaned = _FRAC_RE.sub(_fraction, _WRAPPER_RE.sub(r"\1", cleaned))
    cleaned = _GLUED_COMMAND_RE.sub(r"\1 ", cleaned)
    return _DIGIT_SPACE_RE.sub("", cleaned) if _has_typeset_space(cleaned) else cleaned


def _has_typeset_space(text: str) -> bool:
    return "\u2009" in text or "\u202f" in text or "\u00a0" in text


def _mixed(match: re.Match[str]) -> str:
    whole, numerator, denominator = (int(g) for g in match.groups())
    return repr(whole + numerator / denominator) if denominator else match.group(0)


def _fraction(match: re.Match[str]) -> str:
    # An argument that is more than one number keeps its parentheses: \frac{1+2}{3} is (1+2)/3, not 1+2/3.
    # Glued to a symbol or a number that is not a whole part (x\frac12, 2.5\frac12) it is a product.
    parts = [match.group(1) or match.group(2), match.group(3) or match.group(4)]
    before = match.string[match.start() - 1 : match.start()]
    product = "×" if before.isascii() and before.isalnum() else ""
    return product + "/".join(p.strip() if _SIMPLE_ARG_RE.fullmatch(p) else f"({p})" for p in parts)


@dataclass(frozen=True)
class NumberReading:
    """The first number of a span: its value and how it was written."""

    value: float
    #: digits after the decimal point as written ("14.30" → 2); used to round to the gold's precision
    decimals: int
    #: written with a ``%`` sign or the word percent (the value is the number before it: "15%" → 15.0)
    percent: bool
    #: index in the normalised text just after the number, for callers that read a word after it
    end: int
    #: the normalised text the number was read from
    text: str


def operator_before(head: str) -> bool:
    """Whether a ``-`` or ``+`` after ``head`` is an operator (an operand ends there) rather than a sign.

    ``10 -``, ``x-`` and ``x -`` end an operand; ``is -``, ``= -`` and ``( -`` do not."""
    stripped = head.rstrip()
    if not stripped:
        return False
    last = stripped[-1]
    if last.isdigit() or last in ")]}%":
        return True
    if last.isascii() and last.isalpha():  # glued to a word, or after a one-letter variable
        return len(stripped) == len(head) or len(stripped) == 1 or not stripped[-2].isalpha()
    return False


def token_at(text: str, match: re.Match[str]) -> re.Match[str] | None:
    """``match`` without its sign when that sign is really a binary operator (``10-5`` → ``5``)."""
    if match.group("sign") and operator_before(text[max(0, match.start() - 32) : match.start()]):
        return NUMBER_TOKEN_RE.match(text, match.start() + 1) or NUMBER_TOKEN_RE.search(
            text, match.start() + 1
        )
    return match


def embedded(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` is part of a larger expression, not a value of its own:
    an operand (``3 + 4``, ``x - 5``), an argument or exponent (``\\sqrt{5}``, ``x^{2}``, ``x_1``), or
    multiplied by a symbol (``2\\pi``, ``2\\sqrt{3}``, ``2x + 1``)."""
    head = text[max(0, start - 40) : start].rstrip()
    if head:
        last = head[-1]
        if last in "^_" or (last in "-+*/×÷·" and operator_before(head[:-1])):  # not "**42**" (bold)
            return True
        if last == "{" and (head[:-1].rstrip()[-1:] in ("}", "^", "_") or _command_before(head)):
            return True
        command = _TRAILING_COMMAND_RE.search(head)
        if command and last != "{" and command.group(1) not in _SEPARATORS:
            return True
    tail = _TAIL_RE.match(text, end)
    return tail is not None and tail.group("cmd") not in _SEPARATORS


def _command_before(head: str) -> bool:
    # "\sqrt{" takes an argument; "\boxed{" or "\text{" left unclosed does not make its content an operand.
    command = _TRAILING_COMMAND_RE.search(head)
    return command is not None and re.fullmatch(_WRAPPERS, command.group(1)) is None


def read_number(text: str | float | None) -> NumberReading | None:
    """The first number in ``text`` with its written form, or None (no number, hedged, part of an
    expression without a result, or not finite)."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):  # a gold column loaded from JSON as a number
        text = repr(text)
    cleaned = normalise(str(text))
    match = NUMBER_TOKEN_RE.search(cleaned)
    match = token_at(cleaned, match) if match else None
    if match is not None and embedded(cleaned, match.start(), match.end()):
        match = _result_of(cleaned, match.end())
    if match is None:
        return None
    reading = reading_of(match, cleaned)
    if reading is not None and _HEDGE_RE.match(cleaned, match.end()):
        following = NUMBER_TOKEN_RE.search(cleaned, match.end())
        other = reading_of(following, cleaned) if following else None
        if other is None or not same_amount(reading, other):  # "0.6 or 60%" says one thing twice
            return None
    return reading


def same_amount(first: NumberReading, second: NumberReading) -> bool:
    """Whether two readings state one amount: equal, or equal once a ``%`` is read as a fraction."""
    a = first.value / 100 if first.percent and not second.percent else first.value
    b = second.value / 100 if second.percent and not first.percent else second.value
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _result_of(text: str, after: int) -> re.Match[str] | None:
    """The number after the last ``=`` of the clause an expression starts (``3 * 4 = 12`` → 12)."""
    clause = _CLAUSE_END_RE.search(text, after)
    stop = clause.start() if clause else len(text)
    equals = text.rfind("=", after, stop)
    if equals < 0:
        return None
    match = NUMBER_TOKEN_RE.search(text, equals + 1, stop)
    if match is None or embedded(text, match.start(), match.end()):
        return None
    return match


def reading_of(match: re.Match[str], text: str) -> NumberReading | None:
    """The :class:`NumberReading` of a number token matched in normalised ``text``; None if not finite."""
    sign, sign2, number, power, denominator, exp, percent = match.group(
        "sign", "sign2", "num", "pow", "den", "exp", "percent"
    )
    mantissa, _, exponent = number.lower().partition("e")
    if any(e and len(e.lstrip("+-")) > 4 for e in (exponent, power, exp)):  # int() refuses absurd runs
        return None
    try:
        value = float(number.replace(",", ""))
        if power:
            value **= int(power)
        if denominator:
            value /= float(denominator.replace(",", ""))
        if exp:
            value *= 10.0 ** int(exp)
    except (OverflowError, ZeroDivisionError):  # 10^{999}, 1/0, 0^{-1}: not a usable answer
        return None
    if not math.isfinite(value):
        return None
    if (sign == "-") != (sign2 == "-"):
        value = -value
    written = len(mantissa) - mantissa.index(".") - 1 if "." in mantissa else 0
    decimals = max(0, written - int(exponent or 0) - int(exp or 0))
    return NumberReading(value, decimals, bool(percent), match.end(), text)


def parse_number(text: str | float | None) -> float | None:
    """Normalise an answer span to a float (see the module docstring); None when no number is present."""
    reading = read_number(text)
    return reading.value if reading else None


def numbers_match(predicted: float | None, gold: float | None, tolerance: float = 1e-6) -> bool:
    """True when both numbers exist and agree within ``tolerance`` (absolute, or relative for big values)."""
    if predicted is None or gold is None:
        return False
    return abs(predicted - gold) <= tolerance * max(1.0, abs(gold))


def allowed_error(gold: float, absolute: float, relative: float, decimals: int) -> float:
    """``max(absolute, relative * |gold|)``, with the relative part capped at half a unit of ``decimals``
    (the coarser precision of the two numbers as written): a tolerance meant for rounding noise must
    not accept a different value at the precision both sides state (``2014`` for gold ``2012``)."""
    half_unit = 0.5 * 10.0**-decimals * (1 + 1e-9)  # inclusive: 0.3732 is 0.37325 rounded (to even)
    return max(absolute, min(relative * abs(gold), half_unit))


def readings_match(predicted: NumberReading | None, gold: NumberReading | None, tolerance: float) -> bool:
    """Whether two readings agree: within ``tolerance`` (absolute; relative above 1, capped by
    :func:`allowed_error` at half a unit of the coarser written precision)."""
    if predicted is None or gold is None:
        return False
    decimals = min(predicted.decimals, gold.decimals)
    return abs(predicted.value - gold.value) <= allowed_error(gold.value, tolerance, tolerance, decimals)
