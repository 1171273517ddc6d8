"""What to do with rows that cannot be used as they are, and the per-split report of what was done.

Every data component takes the same policy keys (``on_bad_row``, ``on_unparseable``,
``max_prompt_tokens``, ``on_long_prompt``, and the difficulty keys of :mod:`rlvr.data.difficulty`:
``difficulty_file``, ``pass_rate``, ``curriculum``, ``curriculum_online``, ``retire_after``,
``revisit_after``) and hands them to :class:`RowPolicy`. Nothing is dropped silently: each split's
counts land in ``DataSplits.info`` (printed by ``mode=check``, logged by the observer, written to
``eval_report.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.data.difficulty import PASS_RATE_COLUMN, difficulty_issues
from rlvr.prompts import prompt_token_length

BAD_ROW = ("error", "skip")
UNPARSEABLE = ("drop", "error")
LONG_PROMPT = ("drop", "truncate", "keep")


@dataclass
class RowPolicy:
    on_bad_row: str = "error"
    on_unparseable: str = "drop"
    max_prompt_tokens: int | None = None
    on_long_prompt: str = "drop"
    difficulty_file: str | None = None
    pass_rate: list[float] | None = None
    curriculum: str = "none"
    curriculum_online: bool = False
    retire_after: int | None = 3
    revisit_after: int = 50

    def curriculum_settings(self) -> dict[str, Any] | None:
        """What the trainer's curriculum needs (:mod:`rlvr.training.curriculum`); None when it is off."""
        if self.curriculum == "none" and not self.curriculum_online:
            return None
        return {
            "order": self.curriculum,
            "online": self.curriculum_online,
            "retire_after": self.retire_after,
            "revisit_after": self.revisit_after,
            "pass_rate_column": PASS_RATE_COLUMN,
        }


def policy_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Validation of the policy keys shared by every data component."""
    issues = []
    for key, allowed in (
        ("on_bad_row", BAD_ROW),
        ("on_unparseable", UNPARSEABLE),
        ("on_long_prompt", LONG_PROMPT),
    ):
        value = kwargs.get(key, allowed[0])
        if value not in allowed:
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}",
                    value,
                    f"unknown policy; allowed: {', '.join(allowed)}",
                    f"set {prefix}.{key}={allowed[0]}",
                )
            )
    limit = kwargs.get("max_prompt_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        issues.append(
            ConfigIssue(
                f"{prefix}.max_prompt_tokens",
                limit,
                "must be a positive integer or null",
                f"e.g. {prefix}.max_prompt_tokens=1024",
            )
        )
    return issues + difficulty_issues(prefix, kwargs)


def truncate_prompt(prompt: Any, tokenizer: Any, limit: int) -> Any:
    """Cut the start of the last user message (long contexts come first, the question last) so the
    whole prompt fits in ``limit`` tokens; returns None when even an empty message does not fit."""
    for _ in range(4):
        excess = prompt_token_length(prompt, tokenizer) - limit
        if excess <= 0:
            return prompt
        text = prompt if isinstance(prompt, str) else prompt[-1]["content"]
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if excess >= len(ids):
            return None
        kept = "…" + tokenizer.decode(ids[excess + 1 :])
        prompt = kept if isinstance(prompt, str) else [*prompt[:-1], {**prompt[-1], "content": kept}]
    return prompt if prompt_token_length(prompt, tokenizer) <= limit else None


def length_stats(lengths: list[int]) -> dict[str, float]:
    """min / mean / p50 / p95 / max of prompt token lengths."""
    if not lengths:
        return {}
    ordered = sorted(lengths)

    def pct(q: float) -> int:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "min": ordered[0],
        "mean": round(sum(ordered) / len(ordered), 1),
        "p50": pct(0.5),
        "p95": pct(0.95),
        "max": ordered[-1],
    }
