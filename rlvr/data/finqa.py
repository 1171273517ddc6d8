"""FinQA: numerical reasoning over financial reports (text before and after a table, then a question).

Reads the original FinQA record format — ``pre_text`` and ``post_text`` (lists of sentences), ``table``
(list of rows, the first the header), ``qa.question``, ``qa.answer`` / ``qa.exe_ans``, ``id`` — from
local JSON files such as FinQA's ``train.json``, or from a hub dataset that serves data files with the
same fields (nested under ``qa`` or flat). The table is rendered as markdown between the two texts.

Columns produced: ``prompt``; ``answer`` (the gold as written, e.g. ``14.3%``, ``-217``, ``yes``;
``exe_ans`` when ``answer`` is empty); ``exe_ans``; ``answer_type`` (``number`` | ``percent`` |
``yes_no``); ``is_percent``; ``id``.
"""

from __future__ import annotations

from typing import Any, Unpack

from rlvr.answers import YES_NO_WORDS, parse_number
from rlvr.data.base import DataSplits, UnparseableAnswer, text_field
from rlvr.data.source import RowSource, build_splits
from rlvr.interfaces import Prompt


def render_table(table: list[list[Any]]) -> str:
    """A FinQA table (list of rows, first row the header) as a markdown table."""
    if not table:
        return ""
    width = max(len(row) for row in table)
    rows = [
        [str(cell).strip().replace("|", "/") for cell in row] + [""] * (width - len(row)) for row in table
    ]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def render_context(record: dict[str, Any]) -> str:
    """Pre-text, markdown table and post-text of a FinQA record, as one readable block."""
    pre = " ".join(record.get("pre_text") or [])
    post = " ".join(record.get("post_text") or [])
    return "\n\n".join(part for part in (pre, render_table(record.get("table") or []), post) if part)


def answer_type(answer: str) -> str | None:
    """``yes_no``, ``percent`` or ``number`` for a gold answer; None when it is none of them."""
    text = answer.strip().lower()
    if text in YES_NO_WORDS:
        return "yes_no"
    if parse_number(text.strip("() ")) is None:
        return None
    return "percent" if text.endswith("%") else "number"


class FinQAData:
    """FinQA records (original format) from local JSON or a hub dataset of data files."""

    def __init__(self, **source: Unpack[RowSource]):
        self.source = RowSource.from_keys(source, eval_split=None)

    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        train, evaluation, info = self.source.load()
        return build_splits(
            train,
            evaluation,
            lambda record: to_example(record, prompt),
            {"task": "finqa", **info},
            self.source,
            tokenizer,
        )


def to_example(record: dict[str, Any], prompt: Prompt) -> dict[str, Any]:
    """One FinQA record as a training example (see the module docstring for the columns)."""
    qa = record.get("qa") if isinstance(record.get("qa"), dict) else record
    if "question" not in qa:
        raise KeyError(f"FinQA record {record.get('id')!r} has no qa.question (fields: {sorted(record)})")
    exe_ans = qa.get("exe_ans")
    gold = str(qa.get("answer") or "").strip() or ("" if exe_ans is None else str(exe_ans))
    kind = answer_type(gold)
    if kind is None:
        raise UnparseableAnswer(repr(gold))
    question = f"{render_context(record)}\n\nQuestion: {text_field(qa, 'question')}"
    return {
        "prompt": prompt.build(question),
        "answer": gold,
        "exe_ans": str(exe_ans),
        "answer_type": kind,
        "is_percent": kind == "percent",
        "id": str(record.get("id", "")),
    }
