"""FinQA: numerical reasoning over financial reports (text before and after a table, then a question).

Reads the original FinQA record format (``pre_text``, ``table``, ``post_text``, ``qa.question``,
``qa.answer`` / ``qa.exe_ans``, ``id``) from local JSON files such as FinQA's ``train.json``.
The table is rendered as markdown between the surrounding text. Columns produced: ``prompt``,
``answer`` (gold as written, e.g. ``14.3%``), ``exe_ans`` (the executed program value), ``id``.
Rows whose gold answer is not numeric (yes/no) are dropped and counted for now.
"""

from __future__ import annotations

from typing import Any

from rlvr.answers import parse_number
from rlvr.config.errors import ConfigIssue
from rlvr.data.base import DataSplits, path_issues
from rlvr.data.source import RowSource, build_splits
from rlvr.prompts import PromptTemplate


def render_table(table: list[list[Any]]) -> str:
    """A FinQA table (list of rows, first row the header) as a markdown table."""
    if not table:
        return ""
    width = max(len(row) for row in table)
    rows = [[str(cell).strip() for cell in row] + [""] * (width - len(row)) for row in table]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def render_context(record: dict[str, Any]) -> str:
    """Pre-text, markdown table and post-text of a FinQA record, as one readable block."""
    pre = " ".join(record.get("pre_text") or [])
    post = " ".join(record.get("post_text") or [])
    return "\n\n".join(part for part in (pre, render_table(record.get("table") or []), post) if part)


class FinQAData:
    """FinQA records from local JSON (the original format)."""

    def __init__(
        self,
        path: str | None = None,
        eval_path: str | None = None,
        eval_holdout: int = 0,
        max_train_samples: int | None = None,
        max_eval_samples: int | None = None,
        seed: int = 42,
    ):
        self.source = RowSource(
            path=path,
            eval_path=eval_path,
            eval_split=None,
            eval_holdout=eval_holdout,
            max_train_samples=max_train_samples,
            max_eval_samples=max_eval_samples,
            seed=seed,
        )

    def load(self, prompt: PromptTemplate) -> DataSplits:
        train, evaluation, info = self.source.load()

        def to_example(record: dict[str, Any]) -> dict[str, Any] | None:
            qa = record.get("qa")
            if not isinstance(qa, dict) or "question" not in qa:
                raise KeyError(
                    f"FinQA record {record.get('id')!r} has no qa.question (keys: {sorted(record)})"
                )
            gold = str(qa.get("answer") or qa.get("exe_ans") or "")
            if parse_number(gold) is None:
                return None
            question = f"{render_context(record)}\n\nQuestion: {qa['question']}"
            return {
                "prompt": prompt.build(question),
                "answer": gold,
                "exe_ans": str(qa.get("exe_ans")),
                "id": str(record.get("id", "")),
            }

        return build_splits(train, evaluation, to_example, {"task": "finqa", **info})

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = path_issues(prefix, kwargs)
        if not kwargs.get("path"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.path",
                    None,
                    "FinQA reads local files and no path is set",
                    f"set {prefix}.path to FinQA's train.json",
                )
            )
        return issues
