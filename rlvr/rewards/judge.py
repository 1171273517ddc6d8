"""The roles a scorer declares — *correctness* and *format* — their best score, and what evaluation builds
from them (the judge, the format check).

A scorer declares the role with ``@correctness("correct_reward")``: the named parameter holds its
maximum. Then, with no extra wiring:

* evaluation calls a sample correct when that reward gives it its maximum (so accuracy means exactly
  what the training signal means, FinQA's percent rules included);
* ``mode=check`` requires every gold answer, written as the prompt asks, to get that maximum;
* the eval ``extracted`` column and ``mode=score``'s ``extracted`` show the span that reward reads
  (:func:`extraction_strategies`) — one answer rule per config.

A format scorer declares ``@format_reward("format_reward")`` the same way: evaluation's ``format_ok``
column (and its format rate) is then that reward at its maximum (:func:`format_check`). A scorer without
the marker is no format check, whatever its parameters are called; a set without one leaves the evaluator
to check the prompt's answer format.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rlvr.answers import DEFAULT_STRATEGIES, extract_answer
from rlvr.interfaces import Judge, RewardFunction
from rlvr.rewards.adapter import completion_text

F = TypeVar("F", bound=Callable[..., Any])


def correctness(max_param: str) -> Callable[[F], F]:
    """Mark a scorer as a correctness reward whose maximum is the value of parameter ``max_param``."""

    def mark(scorer: F) -> F:
        scorer.correctness_max_param = max_param  # type: ignore[attr-defined]
        return scorer

    return mark


def format_reward(max_param: str) -> Callable[[F], F]:
    """Mark a scorer as a format reward whose maximum (a compliant completion) is parameter ``max_param``."""

    def mark(scorer: F) -> F:
        scorer.format_max_param = max_param  # type: ignore[attr-defined]
        return scorer

    return mark


def correctness_maximum(scorer: Callable[..., Any], params: dict[str, Any]) -> float | None:
    """The best score of a correctness scorer under ``params``; None when the scorer is not one."""
    return _maximum(scorer, params, getattr(scorer, "correctness_max_param", None))


def format_maximum(scorer: Callable[..., Any], params: dict[str, Any]) -> float | None:
    """The best score of a ``@format_reward`` scorer under ``params``; None when the scorer is not one."""
    return _maximum(scorer, params, getattr(scorer, "format_max_param", None))


def _maximum(scorer: Callable[..., Any], params: dict[str, Any], name: str | None) -> float | None:
    if name is None:
        return None
    if name in params:
        return float(params[name])
    return float(inspect.signature(scorer).parameters[name].default)


def format_check(functions: Sequence[RewardFunction]) -> Callable[[str], bool] | None:
    """Format compliance by the first ``@format_reward`` reward: compliant = that reward at its maximum.
    None when no reward declares the role (the evaluator then checks the prompt's answer format)."""
    for function in functions:
        top = format_maximum(function.scorer, function.params)
        if top is None:
            continue

        def check(completion: Any, function: RewardFunction = function, top: float = top) -> bool:
            score = function(prompts=[None], completions=[completion_text(completion)])[0]
            return score is not None and score >= top - 1e-9

        return check
    return None


def extraction_strategies(function: RewardFunction) -> list[str] | None:
    """The extraction order a reward reads answers with: its ``strategies`` param, its ``answer_format``
    param, or its scorer's default ``strategies``; None when it declares none."""
    if "strategies" in function.params:
        value = function.params["strategies"]
        return [value] if isinstance(value, str) else list(value)
    if "answer_format" in function.params:
        return [function.params["answer_format"]]
    default = inspect.signature(function.scorer).parameters.get("strategies")
    if default is not None and default.default is not inspect.Parameter.empty:
        return list(default.default)
    return None


def first_strategies(functions: Sequence[RewardFunction]) -> list[str]:
    """The extraction order of the correctness reward, else of the first reward that declares one."""
    ordered = sorted(functions, key=lambda f: correctness_maximum(f.scorer, f.params) is None)
    for function in ordered:
        if (found := extraction_strategies(function)) is not None:
            return found
    return list(DEFAULT_STRATEGIES)


def correctness_judge(functions: Sequence[RewardFunction]) -> Judge | None:
    """A judge from the first correctness reward: correct = that reward at its maximum."""
    for function in functions:
        maximum = correctness_maximum(function.scorer, function.params)
        if maximum is None:
            continue

        def is_correct(
            completion: str, row: dict[str, Any], function: Any = function, top: float = maximum
        ) -> bool:
            columns = {key: [value] for key, value in row.items() if key != "prompt"}
            score = function(prompts=[row.get("prompt")], completions=[completion], **columns)[0]
            return score is not None and score >= top - 1e-9

        strategies = extraction_strategies(function) or list(DEFAULT_STRATEGIES)
        return Judge(
            f"{function.name} at its maximum {maximum}",
            is_correct,
            lambda completion, strategies=strategies: extract_answer(completion, strategies),
        )
    return None
