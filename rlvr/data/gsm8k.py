"""GSM8K: grade-school math word problems whose worked solutions end in ``#### <number>``.

Hub: ``openai/gsm8k`` (configs ``main`` and ``socratic``); or local files through ``data.path``.
Columns produced: ``prompt``, ``answer`` (gold number as a plain string), ``question``, ``solution``.
"""

from __future__ import annotations

from typing import Any

from rlvr.answers import gsm8k_gold, parse_number
from rlvr.config.errors import ConfigIssue
from rlvr.data.base import DataSplits, path_issues
from rlvr.data.source import RowSource, build_splits
from rlvr.prompts import PromptTemplate


class GSM8KData:
    """GSM8K-format rows (``question`` + ``answer`` worked solution) from the hub or local files."""

    def __init__(
        self,
        hub_id: str | None = "openai/gsm8k",
        hub_config: str | None = "main",
        revision: str | None = None,
        path: str | None = None,
        eval_path: str | None = None,
        train_split: str = "train",
        eval_split: str | None = "test",
        eval_holdout: int = 0,
        max_train_samples: int | None = None,
        max_eval_samples: int | None = None,
        question_field: str = "question",
        answer_field: str = "answer",
        seed: int = 42,
    ):
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
        )
        self.question_field = question_field
        self.answer_field = answer_field

    def load(self, prompt: PromptTemplate) -> DataSplits:
        train, evaluation, info = self.source.load()

        def to_example(row: dict[str, Any]) -> dict[str, Any] | None:
            for field in (self.question_field, self.answer_field):
                if field not in row:
                    raise KeyError(
                        f"data row has no field {field!r} (available: {sorted(row)}); "
                        f"set data.question_field / data.answer_field"
                    )
            solution = str(row[self.answer_field])
            gold = gsm8k_gold(solution)
            if parse_number(gold) is None:
                return None
            question = str(row[self.question_field])
            return {
                "prompt": prompt.build(question),
                "answer": gold,
                "question": question,
                "solution": solution,
            }

        return build_splits(train, evaluation, to_example, {"task": "gsm8k", **info})

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = path_issues(prefix, kwargs)
        if not kwargs.get("path") and not kwargs.get("hub_id"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.path",
                    None,
                    "no data source: path and hub_id are both empty",
                    f"set {prefix}.path=<file.jsonl> or {prefix}.hub_id=openai/gsm8k",
                )
            )
        return issues
