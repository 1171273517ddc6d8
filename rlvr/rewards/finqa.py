"""FinQA's numeric verifier: financial answers written many ways, compared by value.

Rules, each a param of :func:`finqa_correctness`:

* tolerance — ``|pred - gold| <= max(abs_tolerance, rel_tolerance * |gold|)``, the relative part never
  wider than half a unit of the coarser precision the two are written with: ``2014`` never matches gold
  ``2012`` (0.1 % of 2012 is 2.0), while ``0.14286`` still matches the executed ``0.142857142…``;
* ``round_to_gold`` — also accept a prediction that rounds to the gold as written: gold ``14.3`` accepts
  ``14.2857`` (within half a unit of its last digit, 0.05), gold ``14`` accepts ``14.3``;
* ``percent_equivalence`` — a number written with ``%`` also means its fraction: gold ``14.3%`` accepts
  ``0.143`` and prediction ``14.3%`` matches gold ``0.143``; with no ``%`` on either side, 14.3 ≠ 0.143;
* negatives in parentheses — ``(56)`` and ``$(56)`` read as −56 (accounting style);
* ``scale_words`` — ``3.5 million`` (``thousand``, ``billion``, ``trillion``, ``bn``, ``mn``) matches both
  3,500,000 and 3.5, since FinQA golds are often in the table's unit ("in millions");
* yes/no — a gold of ``yes``/``no`` (or ``true``/``false``) needs the same first word in the prediction;
* labels — ``2024: 0.100`` reads 0.100 (a leading ``label:`` is not the value). A gold listing several
  labelled values (``2024: 0.100, 2023: 0.500``) needs every label with its value, in any order; a
  prediction listing several labelled values for a gold with one value is a hedge and scores
  ``incorrect_reward``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from rlvr.answer_numbers import allowed_error
from rlvr.answers import YES_NO_WORDS, Strategy, extract_answer, normalise, read_number
from rlvr.rewards.adapter import param_rules
from rlvr.rewards.judge import correctness

FINQA_STRATEGIES: tuple[Strategy, ...] = ("answer_tag", "boxed", "answer_is", "hash", "last_number")

_SCALES = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_SCALE_RE = re.compile(r"\s*(thousand|million|mn|billion|bn|trillion)s?\b", re.I)
# "(56)" or "$(56)" or "( 56 )": accounting negatives, the whole number in parentheses.
_PAREN_RE = re.compile(r"\s*[$€£]?\s*\(\s*([$€£]?\s*\d[\d,.]*\s*%?)\s*\)")
_FIRST_WORD_RE = re.compile(r"[^A-Za-z]*([A-Za-z]+)")
# "2024: 0.100", "Net revenue: $(56) million": a short label, a colon and a space, then the value.
_LABEL = r"[A-Za-z0-9][\w .&'/-]{0,39}?"
_VALUE = r"[-+]?\s?[$€£¥₹]?\s?[-(]?\s?\d[\d,.]*\s?\)?\s*(?:%|percent\b)?(?:\s*(?:thousand|million|mn|billion|bn|trillion)s?\b)?"
_LEADING_LABEL_RE = re.compile(rf"\s*{_LABEL}\s*:\s+(?={_VALUE})")
_PAIR_RE = re.compile(rf"(?P<label>{_LABEL})\s*:\s+(?P<value>{_VALUE})")
_LABEL_WORD_RE = re.compile(r"[a-z0-9]+")

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
    rules = (rel_tolerance, abs_tolerance, round_to_gold, percent_equivalence, scale_words)
    gold_pairs, predicted_pairs = labelled_values(str(answer)), labelled_values(span)
    if len(gold_pairs) >= 2:
        same = _pairs_match(predicted_pairs, gold_pairs, rules)
    else:  # several labelled values for one gold value: a hedge
        same = len(predicted_pairs) < 2 and _values_match(span, answer, rules)
    return correct_reward if same else incorrect_reward


_Rules = tuple[float, float, bool, bool, bool]


def _values_match(predicted: str, gold: str | float, rules: _Rules) -> bool:
    rel_tolerance, abs_tolerance, round_to_gold, percent_equivalence, scale_words = rules
    golds = finqa_candidates(gold, percent_equivalence, scale_words)
    for value, written in finqa_candidates(predicted, percent_equivalence, scale_words):
        for target, decimals in golds:
            tolerance = allowed_error(target, abs_tolerance, rel_tolerance, min(written, decimals))
            if round_to_gold:
                tolerance = max(tolerance, 0.5 * 10.0**-decimals * (1 + 1e-9))
            if abs(value - target) <= tolerance:
                return True
    return False


def labelled_values(text: str) -> list[tuple[str, str]]:
    """``(label, value)`` for each ``label: value`` in ``text``: ``2024: 0.1, 2023: 0.5`` → two pairs."""
    return [(m.group("label"), m.group("value")) for m in _PAIR_RE.finditer(normalise(text))]


def _pairs_match(predicted: list[tuple[str, str]], gold: list[tuple[str, str]], rules: _Rules) -> bool:
    """Every gold label is stated once with a matching value, and nothing else is (order is free)."""
    if len(predicted) != len(gold):
        return False
    unused = list(predicted)
    for label, value in gold:
        found = next(
            (p for p in unused if _same_label(p[0], label) and _values_match(p[1], value, rules)), None
        )
        if found is None:
            return False
        unused.remove(found)
    return True


def _same_label(first: str, second: str) -> bool:
    # "2024" matches "in 2024" and "Fiscal 2024": the shorter label's words end the longer one's.
    a, b = (_LABEL_WORD_RE.findall(label.lower()) for label in (first, second))
    shorter, longer = sorted((a, b), key=len)
    return bool(shorter) and longer[len(longer) - len(shorter) :] == shorter


def finqa_candidates(
    text: str | float, percent_equivalence: bool = True, scale_words: bool = True
) -> list[Candidate]:
    """Every value ``text`` may mean, with its written decimals: ``14.3%`` → [(14.3, 1), (0.143, 3)]."""
    cleaned = normalise(str(text)) if not isinstance(text, (int, float)) else text
    if isinstance(cleaned, str) and (label := _LEADING_LABEL_RE.match(cleaned)):
        cleaned = cleaned[label.end() :]
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
        # "3.5 million" is written to the hundred thousand: its decimals go negative (-5).
        found.append((value * factor, reading.decimals - round(math.log10(factor))))
    return found


def _boolean(text: str) -> str | None:
    word = _FIRST_WORD_RE.match(text)
    return YES_NO_WORDS.get(word.group(1).lower()) if word else None
