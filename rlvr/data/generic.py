"""Any question/answer dataset: JSON, JSONL, CSV or parquet from a path, or a hub dataset id.

Name the question and answer columns, and how to read the gold answer out of the answer column:

* ``number``   — the first number in it, normalised (``"$1,250.00"`` → ``"1250"``)
* ``hash``     — the text after ``####`` (GSM8K-style solutions); normalised when it is a number
* ``boxed``    — the content of the last ``\\boxed{...}`` (MATH-style solutions)
* ``raw``      — the whole value, stripped

Optional columns: ``system_prompt_field`` gives a per-row system prompt (replacing the prompt
component's). Columns produced: ``prompt``, ``answer``, ``question`` and every other source column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr.answers import STRATEGIES
from rlvr.config.errors import ConfigIssue
from rlvr.data.base import DataSplits, UnparseableAnswer, path_issues
from rlvr.data.gsm8k import canonical_number, require_fields
from rlvr.data.policy import RowPolicy, policy_issues
from rlvr.data.source import RowSource, build_splits
from rlvr.prompts import PromptTemplate


def _number_or_text(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    return canonical_number(text) if canonical_number(text) == text.replace(",", "").strip() else text.strip()


ANSWER_PARSERS: dict[str, Callable[[str], str | None]] = {
    "number": canonical_number,
    "hash": lambda text: _number_or_text(STRATEGIES["hash"](text)),
    "boxed": lambda text: STRATEGIES["boxed"](text),
    "raw": lambda text: text.strip() or None,
}


class GenericQAData:
    """Question/answer rows from any file or hub dataset, with configurable columns and answer parsing."""

    def __init__(
        self,
        path: str | None = None,
        eval_path: str | None = None,
        hub_id: str | None = None,
        hub_config: str | None = None,
        revision: str | None = None,
        train_split: str = "train",
        eval_split: str | None = None,
        eval_holdout: int = 0,
        max_train_samples: int | None = None,
        max_eval_samples: int | None = None,
        question_field: str = "question",
        answer_field: str = "answer",
        answer_parser: str = "number",
        system_prompt_field: str | None = None,
        seed: int = 42,
        on_bad_row: str = "error",
        on_unparseable: str = "drop",
        max_prompt_tokens: int | None = None,
        on_long_prompt: str = "drop",
    ):
        self.policy = RowPolicy(on_bad_row, on_unparseable, max_prompt_tokens, on_long_prompt)
        self.source = RowSource(
            hub_id,
            hub_config,
            revision,
            path,
            eval_path,
            train_split,
            eval_split,
            eval_holdout,
            max_train_samples,
            max_eval_samples,
            seed,
            self.policy,
        )
        self.question_field, self.answer_field = question_field, answer_field
        self.parse = ANSWER_PARSERS[answer_parser]
        self.system_prompt_field = system_prompt_field

    def load(self, prompt: PromptTemplate, tokenizer: Any = None) -> DataSplits:
        train, evaluation, info = self.source.load()

        def to_example(row: dict[str, Any]) -> dict[str, Any]:
            require_fields(
                row,
                self.question_field,
                self.answer_field,
                *([self.system_prompt_field] if self.system_prompt_field else []),
            )
            gold = self.parse(str(row[self.answer_field]))
            if gold is None:
                raise UnparseableAnswer(repr(str(row[self.answer_field])[-60:]))
            question = str(row[self.question_field])
            system = str(row[self.system_prompt_field]) if self.system_prompt_field else None
            extra = {k: v for k, v in row.items() if k not in ("prompt", "answer", "question")}
            return {
                **extra,
                "prompt": prompt.build(question, system_prompt=system),
                "answer": gold,
                "question": question,
            }

        return build_splits(
            train, evaluation, to_example, {"task": "generic", **info}, self.policy, tokenizer
        )

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = path_issues(prefix, kwargs) + policy_issues(prefix, kwargs)
        if not kwargs.get("path") and not kwargs.get("hub_id"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.path",
                    None,
                    "no data source: path and hub_id are both empty",
                    f"set {prefix}.path=<file> or {prefix}.hub_id=<hub dataset>",
                )
            )
        parser = kwargs.get("answer_parser", "number")
        if parser not in ANSWER_PARSERS:
            issues.append(
                ConfigIssue(
                    f"{prefix}.answer_parser",
                    parser,
                    "unknown answer parser",
                    f"use one of {', '.join(ANSWER_PARSERS)}",
                )
            )
        return issues
