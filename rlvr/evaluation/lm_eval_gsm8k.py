"""GSM8K as lm-evaluation-harness scores it, so a table can quote the figure model cards quote.

lm-eval-harness's ``gsm8k`` task reads each completion twice (its ``filter_list``):

* ``strict-match`` — the first ``#### <number>`` (regex ``#### (\\-?[0-9\\.\\,]+)``): only answers in
  the GSM8K format count;
* ``flexible-extract`` — the last number-like span (``(-?[$0-9.,]{2,})|(-?[0-9]+)``): any final number.

and compares the span with the gold by ``exact_match`` after deleting ``,``, ``$``, everything up to
``#### `` and a final ``.`` (``regexes_to_ignore``), case-folded: a string comparison, so ``72.0`` is not
``72``. The judge of a suite decides ``correct``; these two columns sit beside it, and the gap between
strict-match and the judge is the share of right answers not written as ``#### N``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rlvr.evaluation.stats import bootstrap_ci, mean

STRICT = re.compile(r"#### (\-?[0-9\.\,]+)")
FLEXIBLE = re.compile(r"(-?[$0-9.,]{2,})|(-?[0-9]+)")
#: exact_match's ``regexes_to_ignore`` in the harness's gsm8k task, applied in this order.
IGNORED = (re.compile(","), re.compile(r"\$"), re.compile(r"(?s).*#### "), re.compile(r"\.$"))
#: The two scores, as eval-table columns and report metrics.
METRICS = ("strict_match", "flexible_extract")


def _normalise(text: str) -> str:
    for pattern in IGNORED:
        text = pattern.sub("", text)
    return text.lower()


def _span(pattern: re.Pattern[str], completion: str, which: int) -> str | None:
    """The harness's ``regex`` filter: the ``which``-th match (its first non-empty group), stripped."""
    found = pattern.findall(completion)
    if not found:
        return None
    match = found[which]
    if isinstance(match, tuple):
        match = next((group for group in match if group), "")
    return match.strip() or None


def harness_match(completion: str, gold: str, kind: str) -> bool:
    """Whether the harness's ``kind`` filter (``strict_match`` or ``flexible_extract``) scores
    ``completion`` right against ``gold`` (a GSM8K solution ending ``#### N``, or the number alone)."""
    span = _span(STRICT, completion, 0) if kind == "strict_match" else _span(FLEXIBLE, completion, -1)
    return span is not None and _normalise(span) == _normalise(str(gold))


def add_harness_scores(samples: Sequence[dict[str, Any]], resamples: int, seed: int) -> dict[str, Any]:
    """Add ``strict_match`` and ``flexible_extract`` columns to eval-table rows (their ``completion``
    against their ``answer``); return each score's mean with its bootstrap CI."""
    summary: dict[str, Any] = {}
    for kind in METRICS:
        flags = []
        for sample in samples:
            sample[kind] = harness_match(sample["completion"], sample["answer"], kind)
            flags.append(float(sample[kind]))
        summary[kind] = mean(flags)
        summary[f"{kind}_ci"] = list(bootstrap_ci(flags, resamples, seed))
    return summary
