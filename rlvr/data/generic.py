"""Any question/answer dataset: JSON, JSONL, CSV or parquet from a path, or a hub dataset id.

Name the question and answer columns, and how to read the gold answer out of the answer column:

* ``number``   — the first number in it, normalised (``"$1,250.00"`` → ``"1250"``)
* ``hash``     — the text after ``####`` (GSM8K-style solutions); normalised when it is a number
* ``boxed``    — the content of the last ``\\boxed{...}`` (MATH-style solutions)
* ``raw``      — the whole value, stripped

A list-valued answer column (OlympiadBench's ``final_answer``) is read as its items joined by ``", "``.

Optional columns: ``system_prompt_field`` gives a per-row system prompt and ``few_shot_field`` a
per-row list of ``{question, answer}`` examples (each replacing the prompt component's). Columns
produced: ``prompt``, ``answer``, ``question`` and every other source column.

Without an eval file or split, ``eval_holdout`` rows are carved from train — at most half of them, so
a small file still trains; the data report states the rows really held out and a capped request is
warned about (:meth:`rlvr.data.source.RowSource.load`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Unpack

from rlvr.answers import STRATEGIES
from rlvr.data.base import DataSplits, UnparseableAnswer, canonical_number, require_fields, text_field
from rlvr.data.source import RowSource, build_splits
from rlvr.errors import DataError
from rlvr.interfaces import Prompt


def _number_or_text(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    return canonical_number(text) if canonical_number(text) == text.replace(",", "").strip() else text.strip()


AnswerParser = Literal["number", "hash", "boxed", "raw"]
ANSWER_PARSERS: dict[AnswerParser, Callable[[str], str | None]] = {
    "number": canonical_number,
    "hash": lambda text: _number_or_text(STRATEGIES["hash"](text)),
    "boxed": lambda text: STRATEGIES["boxed"](text),
    "raw": lambda text: text.strip() or None,
}


class GenericQAData:
    """Question/answer rows from any file or hub dataset, with configurable columns and answer parsing."""

    def __init__(
        self,
        question_field: str = "question",
        answer_field: str = "answer",
        answer_parser: AnswerParser = "number",
        system_prompt_field: str | None = None,
        few_shot_field: str | None = None,
        **source: Unpack[RowSource],
    ):
        self.source = RowSource.from_keys(source, eval_split=None)
        self.question_field, self.answer_field = question_field, answer_field
        self.parse = ANSWER_PARSERS[answer_parser]
        self.system_prompt_field = system_prompt_field
        self.few_shot_field = few_shot_field

    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        train, evaluation, info = self.source.load()

        def to_example(row: dict[str, Any]) -> dict[str, Any]:
            optional = [f for f in (self.system_prompt_field, self.few_shot_field) if f]
            require_fields(row, self.question_field, self.answer_field, *optional)
            value = row[self.answer_field]
            # A list of golds (OlympiadBench's final_answer: ['$2^{1009}$']) is read as its items joined.
            text = (
                ", ".join(map(str, value)) if isinstance(value, list) else text_field(row, self.answer_field)
            )
            gold = self.parse(text)
            if gold is None:
                raise UnparseableAnswer(repr(text[-60:]))
            question = text_field(row, self.question_field)
            system = str(row[self.system_prompt_field]) if self.system_prompt_field else None
            examples = row[self.few_shot_field] if self.few_shot_field else None
            if examples is not None and not all(
                isinstance(e, dict) and {"question", "answer"} <= e.keys() for e in examples
            ):
                raise DataError(
                    f"data.few_shot_field={self.few_shot_field!r}: each row's value must be a list of "
                    f"{{question, answer}} objects, got {str(examples)[:80]!r}. Fix: correct the rows, or "
                    "set data.few_shot_field=null"
                )
            extra = {
                k: v for k, v in row.items() if k not in ("prompt", "answer", "question", self.few_shot_field)
            }
            return {
                **extra,
                "prompt": prompt.build(question, system_prompt=system, few_shot=examples),
                "answer": gold,
                "question": question,
            }

        return build_splits(
            train, evaluation, to_example, {"task": "generic", **info}, self.source, tokenizer
        )
