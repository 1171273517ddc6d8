"""Answer extraction and numeric normalisation, shared by the rewards and the evaluator.

One module so that the reward the model is trained on and the accuracy it is judged by can never
disagree. Extraction tries named strategies in a configured order and returns the first hit:

* ``hash``        — GSM8K's final line, ``#### 42``
* ``boxed``       — the last ``\\boxed{...}`` (nested braces handled)
* ``answer_tag``  — the last ``<answer>...</answer>``
* ``answer_is``   — "the answer is 42" / "Answer: 42"
* ``last_number`` — the last number anywhere (a lenient fallback)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

DEFAULT_STRATEGIES = ("hash", "boxed", "answer_tag", "answer_is", "last_number")

_NUMBER_RE = re.compile(r"(?<![\w.])[-+]?\$?\s?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
_HASH_RE = re.compile(r"####\s*([^\n]*)")
_ANSWER_TAG_RE = re.compile(r"<answer>(.*?)</answer>", re.S | re.I)
_ANSWER_IS_RE = re.compile(r"(?:the\s+(?:final\s+)?answer\s+is|answer\s*:)\s*([^\n]*)", re.I)
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


def _last_boxed(text: str) -> str | None:
    start = text.rfind("\\boxed")
    if start < 0:
        return None
    brace = text.find("{", start)
    if brace < 0:
        return None
    depth = 0
    for i in range(brace, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[brace + 1 : i]
    return None


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
    "answer_tag": _last(_ANSWER_TAG_RE),
    "answer_is": _last(_ANSWER_IS_RE),
    "last_number": _last_number,
}


def unknown_strategies(strategies: Sequence[str]) -> list[str]:
    """Names in ``strategies`` that are not extraction strategies (for config validation)."""
    return [s for s in strategies if s not in STRATEGIES]


def extract_answer(text: str, strategies: Sequence[str] = DEFAULT_STRATEGIES) -> str | None:
    """The answer span found by the first strategy that matches, or None."""
    text = text.translate(_MINUS_SIGNS)
    for name in strategies:
        found = STRATEGIES[name](text)
        if found:
            return found
    return None


def parse_number(text: str | None) -> float | None:
    """Normalise an answer span to a float: drops ``$``, thousands separators, ``%``, LaTeX wrappers,
    trailing words and periods; reads fractions ``a/b``. Returns None when no number is present."""
    if text is None:
        return None
    cleaned = text.translate(_MINUS_SIGNS)
    cleaned = re.sub(r"\\text\{([^}]*)\}", r"\1", cleaned)
    cleaned = cleaned.replace("\\$", "$").replace("\\,", "").replace("\\!", "").replace("\\%", "%")
    frac = re.search(r"\\[dt]?frac\{(-?[\d.]+)\}\{(-?[\d.]+)\}|(?<![\d.])(-?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", cleaned)
    if frac:
        num, den = (frac.group(1), frac.group(2)) if frac.group(1) else (frac.group(3), frac.group(4))
        try:
            return float(num) / float(den) if float(den) != 0 else None
        except ValueError:
            return None
    match = _NUMBER_RE.search(cleaned)
    if not match:
        return None
    token = match.group(0).replace("$", "").replace(",", "").replace(" ", "")
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers_match(predicted: float | None, gold: float | None, tolerance: float = 1e-6) -> bool:
    """True when both numbers exist and agree within ``tolerance`` (absolute, or relative for big values)."""
    if predicted is None or gold is None:
        return False
    return abs(predicted - gold) <= tolerance * max(1.0, abs(gold))


def is_correct(completion: str, gold: str, strategies: Sequence[str] = DEFAULT_STRATEGIES,
               tolerance: float = 1e-6) -> bool:
    """Whether the answer extracted from ``completion`` equals the gold answer numerically."""
    return numbers_match(parse_number(extract_answer(completion, strategies)), parse_number(gold), tolerance)


def gsm8k_gold(solution: str) -> str | None:
    """The final answer of a GSM8K worked solution (the text after ``####``), commas removed."""
    found = STRATEGIES["hash"](solution)
    return found.replace(",", "").strip() if found else None
