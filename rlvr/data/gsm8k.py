"""GSM8K: grade-school math word problems whose worked solutions end in ``#### <number>``.

Hub: ``openai/gsm8k`` (configs ``main`` and ``socratic``); or local files through ``data.path``.
Columns produced: ``prompt``, ``answer`` (the gold number, normalised: no commas, ``$`` or trailing
zeros), ``question`` and ``solution`` (the full worked solution, kept for analysis).
"""

from __future__ import annotations

import re
from typing import Any, Unpack

from rlvr.data.base import DataSplits, UnparseableAnswer, canonical_number, require_fields, text_field
from rlvr.data.source import RowSource, build_splits
from rlvr.interfaces import Prompt

#: A gold answer is one number: commas only between groups of three digits (every gold of GSM8K's
#: 8,792 rows fits). ``5,0`` (a decimal comma?) or ``1 234`` are ambiguous: unparseable, not 50 or 1.
GOLD_NUMBER = re.compile(r"-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\.?")


def gsm8k_gold(solution: str) -> str | None:
    """The final answer of a GSM8K worked solution (the line after the last ``####``), commas removed;
    None when it is not one unambiguous number."""
    if "####" not in solution:
        return None
    lines = solution.rsplit("####", 1)[1].strip().splitlines()
    found = lines[0].strip() if lines else ""
    return found.replace(",", "").rstrip(".") if GOLD_NUMBER.fullmatch(found) else None


class GSM8KData:
    """GSM8K-format rows (``question`` + ``answer`` worked solution) from the hub or local files."""

    def __init__(
        self, question_field: str = "question", answer_field: str = "answer", **source: Unpack[RowSource]
    ):
        self.source = RowSource.from_keys(source, hub_id="openai/gsm8k", hub_config="main")
        self.question_field = question_field
        self.answer_field = answer_field

    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        train, evaluation, info = self.source.load()

        def to_example(row: dict[str, Any]) -> dict[str, Any]:
            require_fields(row, self.question_field, self.answer_field)
            question = text_field(row, self.question_field)
            solution = text_field(row, self.answer_field)
            gold = canonical_number(gsm8k_gold(solution))
            if gold is None:
                raise UnparseableAnswer(repr(solution[-60:]))
            return {
                "prompt": prompt.build(question),
                "answer": gold,
                "question": question,
                "solution": solution,
            }

        return build_splits(train, evaluation, to_example, {"task": "gsm8k", **info}, self.source, tokenizer)
