"""What to do with rows that cannot be used as they are, and the per-split report of what was done.

Every data component takes the same policy keys, the fields of :class:`RowPolicy` (a task passes them
as ``**source: Unpack[RowSource]``, which carries them too, or ``**policy: Unpack[RowPolicy]``).
Validation checks them from the field annotations; :meth:`RowPolicy.rules` adds what a type cannot say
(the difficulty keys need a profile file). Nothing is dropped silently: each split's counts land in
``DataSplits.info`` (printed by ``mode=check``, logged by the observer, written to ``eval_report.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast
from rlvr.data.difficulty import PASS_RATE_COLUMN
from rlvr.paths import missing_path_problem
from rlvr.prompts import prompt_token_length


@dataclass(frozen=True)
class RowPolicy(Settings):
    """The row policy keys of a data node, and the difficulty keys of :mod:`rlvr.data.difficulty`."""

    #: Malformed JSONL lines and rows with a null/empty question: stop, or skip and count them.
    on_bad_row: Literal["error", "skip"] = "error"
    #: Rows whose gold answer cannot be parsed: drop and count them, or stop.
    on_unparseable: Literal["drop", "error"] = "drop"
    #: Longest prompt in tokens (chat template included); None = no limit.
    max_prompt_tokens: Annotated[int, AtLeast(1)] | None = None
    #: Prompts over ``max_prompt_tokens``: drop, truncate (the start of the user message) or keep.
    on_long_prompt: Literal["drop", "truncate", "keep"] = "drop"
    #: A ``mode=profile`` run's difficulty.jsonl (each training row's pass rate).
    difficulty_file: str | None = None
    #: Keep only training rows whose profiled pass rate is in ``[low, high]``.
    pass_rate: list[float] | None = None
    #: The order training rows are drawn in, by pass rate.
    curriculum: Literal["none", "easy_first", "hard_first"] = "none"
    #: Refresh pass rates from the rollouts.
    curriculum_online: bool = False
    #: Online: all-solved visits in a row after which a row retires; None = never.
    retire_after: Annotated[int, AtLeast(1, note="or null: never")] | None = 3
    #: Online: optimizer steps a row with no correct completion waits before it is drawn again.
    revisit_after: Annotated[int, AtLeast(0, note="0 = no wait")] = 50

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

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """The profile file exists; the band is ``[low, high]`` within 0..1; the band and an offline
        curriculum need the profile's pass rates."""
        issues = []
        file, band = self.difficulty_file, self.pass_rate
        if file is not None and (problem := missing_path_problem(file)):
            fix = "point it at a mode=profile run's difficulty.jsonl"
            issues.append(ConfigIssue(f"{prefix}.difficulty_file", file, problem, fix))
        if band is not None and not (len(band) == 2 and 0 <= band[0] <= band[1] <= 1):
            issues.append(
                ConfigIssue(
                    f"{prefix}.pass_rate",
                    band,
                    "must be [low, high] with 0 <= low <= high <= 1",
                    f'e.g. "{prefix}.pass_rate=[0.1,0.9]" (drop rows always or never solved)',
                )
            )
        elif band is not None and file is None:
            issues.append(_needs_profile(prefix, "pass_rate", band))
        if self.curriculum != "none" and file is None and not self.curriculum_online:
            online = f" or {prefix}.curriculum_online=true"
            issues.append(_needs_profile(prefix, "curriculum", self.curriculum, online))
        return issues


def _needs_profile(prefix: str, key: str, value: Any, alternative: str = "") -> ConfigIssue:
    return ConfigIssue(
        f"{prefix}.{key}",
        value,
        "needs the pass rates of a profile, and data.difficulty_file is not set",
        f"run mode=profile, then set {prefix}.difficulty_file=<run dir>/difficulty.jsonl{alternative}",
    )


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
