"""Reward roles: which scorers judge *correctness*, and what their best score is.

``mode=check`` formats every gold answer as the prompt asks and requires each correctness reward to
give it its maximum — a quick proof that data, prompt format and answer parsing agree before any GPU
time is spent. A scorer declares the role with ``@correctness("correct_reward")``: the named parameter
holds its maximum.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def correctness(max_param: str) -> Callable[[F], F]:
    """Mark a scorer as a correctness reward whose maximum is the value of parameter ``max_param``."""

    def mark(scorer: F) -> F:
        scorer.correctness_max_param = max_param  # type: ignore[attr-defined]
        return scorer

    return mark


def correctness_maximum(scorer: Callable[..., Any], params: dict[str, Any]) -> float | None:
    """The best score of a correctness scorer under ``params``; None when the scorer is not one."""
    name = getattr(scorer, "correctness_max_param", None)
    if name is None:
        return None
    if name in params:
        return float(params[name])
    return float(inspect.signature(scorer).parameters[name].default)


@dataclass(frozen=True)
class Judge:
    """Decides whether one completion answers one dataset row correctly (used by evaluation)."""

    name: str
    is_correct: Callable[[str, dict[str, Any]], bool]


def correctness_judge(rewards: Any) -> Judge | None:
    """A judge from the reward set's first correctness reward: correct = that reward at its maximum."""
    for function in rewards.functions:
        maximum = correctness_maximum(function.scorer, function.params)
        if maximum is None:
            continue

        def is_correct(
            completion: str, row: dict[str, Any], function: Any = function, top: float = maximum
        ) -> bool:
            columns = {key: [value] for key, value in row.items() if key != "prompt"}
            score = function(prompts=[row.get("prompt")], completions=[completion], **columns)[0]
            return score is not None and score >= top - 1e-9

        return Judge(f"{function.name} at its maximum {maximum}", is_correct)
    return None
