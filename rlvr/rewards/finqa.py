"""FinQA's numeric verifier: financial answers written many ways, compared by value.

Rules, each a param of :func:`finqa_correctness`:

* tolerance — ``|pred - gold| <= max(abs_tolerance, rel_tolerance * |gold|)``;
* ``round_to_gold`` — also accept a prediction that rounds to the gold as written: gold ``14.3`` accepts
  ``14.2857`` (within half a unit of its last digit, 0.05), gold ``14`` accepts ``14.3``;
* ``percent_equivalence`` — a number written with ``%`` also means its fraction: gold ``14.3%`` accepts
  ``0.143`` and prediction ``14.3%`` matches gold ``0.143``; with no ``%`` on either side, 14.3 ≠ 0.143;
* negatives in parentheses — ``(56)`` and ``$(56)`` read as −56 (accounting style);
* ``scale_words`` — ``3.5 million`` (``thousand``, ``billion``, ``trillion``, ``bn``, ``mn``) matches both
  3,500,000 and 3.5, since FinQA golds are often in the table's unit ("in millions");
* yes/no — a gold of ``yes``/``no`` (or ``true``/``false``) needs the same first word in the prediction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from rlvr.answers import YES_NO_WORDS, Strategy, extract_answer, normalise, read_number
from rlvr.rewards.adapter import param_rules
from rlvr.rewards.judge import correctness

FINQA_STRATEGIES: tuple[Strategy, ...] = ("answer_tag", "boxed", "answer_is", "hash", "last_number")

_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_SCALE_RE = re.compile(r"\s*(thousand|million|mn|billion|bn|trillion)s?\b", re.I)
# "(56)" or "$(56)" or "( 56 )": accounting negatives, the whole number in parentheses.
_PAREN_RE = re.compile(r"\s*[$€£]?\s*\(\s*([$€£]?\s*\d[\d,.]*\s*%?)\s*\)")
_FIRST_WORD_RE = re.compile(r"[^A-Za-z]*([A-Za-z]+)")

# A candidate value with the number of decimals it was written with (for rounding to the gold).
Candidate = tuple[float, int]


def _tolerance_rules(params: dict[str, Any]) -> list[str]:
    return [
        f"{key} must be a number >= 0 (got {params[key]!r})"
        for key in ("rel_tolerance", "abs_tolerance")
        if key in params and not (isinstance(params[key], (int, float)) and params[key] >= 0)
    ]


@correctness("correct_reward")
@param_rules(_tolerance_rules)
def finqa_correctness(
    completion: str,
    answer: str,
    correct_reward: float = 2.0,
    incorrect_reward: float = 0.0,
    rel_tolerance: float = 1e-3,
    abs_tolerance: float = 1e-6,
    round_to_gold: bool = True,
    percent_equivalence: bool = True,
    scale_words: bool = True,
    strategies: Sequence[Strategy] = FINQA_STRATEGIES,
) -> float:
    """``correct_reward`` when the extracted answer equals the FinQA gold ``answer`` under the module's
    rules; ``incorrect_reward`` otherwise (also when the gold itself is neither a number nor yes/no)."""
    if rel_tolerance < 0 or abs_tolerance < 0:
        raise ValueError(f"rel_tolerance={rel_tolerance} and abs_tolerance={abs_tolerance} must be >= 0")
    span = extract_answer(completion, strategies)
    if span is None:
        return incorrect_reward
    gold_word = _boolean(str(answer))
    if gold_word is not None:
        return correct_reward if _boolean(span) == gold_word else incorrect_reward
    golds = finqa_candidates(answer, percent_equivalence, scale_words)
    predictions = finqa_candidates(span, percent_equivalence, scale_words)
    for value, _ in predictions:
        for gold, decimals in golds:
            tolerance = max(abs_tolerance, rel_tolerance * abs(gold))
            if round_to_gold:
                tolerance = max(tolerance, 0.5 * 10.0**-decimals * (1 + 1e-9))
            if abs(value - gold) <= tolerance:
                return correct_reward
    return incorrect_reward


def finqa_candidates(
    text: str | float, percent_equivalence: bool = True, scale_words: bool = True
) -> list[Candidate]:
    """Every value ``text`` may mean, with its written decimals: ``14.3%`` → [(14.3, 1), (0.143, 3)]."""
    cleaned = normalise(str(text)) if not isinstance(text, (int, float)) else text
    paren = _PAREN_RE.match(cleaned) if isinstance(cleaned, str) else None
    reading = read_number(paren.group(1) if paren else cleaned)
    if reading is None:
        return []
    value = -reading.value if paren else reading.value
    found = [(value, reading.decimals)]
    if reading.percent and percent_equivalence:
        found.append((value / 100, reading.decimals + 2))
    scale = _SCALE_RE.match(reading.text, reading.end) if scale_words and not paren else None
    if scale:
        factor = _SCALES[scale.group(1).lower()]
        found.append((value * factor, max(0, reading.decimals - round(math.log10(factor)))))
    return found


def _boolean(text: str) -> str | None:
    word = _FIRST_WORD_RE.match(text)
    return YES_NO_WORDS.get(word.group(1).lower()) if word else None
