"""The reward component: a list of ``{_target_, weight, params, name, on_error, timeout, tasks}`` entries.

Each entry's ``_target_`` is a scorer (see :mod:`rlvr.rewards.adapter` for the convention), ``params`` its
keyword arguments, ``name`` the metric name (default: the function's name), ``on_error`` and ``timeout``
its safety settings (default: the set's), ``tasks`` the tasks whose rows it scores (several tasks in one
run, :mod:`rlvr.data.mixture`; default: every row). With ``tasks``, the evaluation judge is routed too:
each row is judged by the correctness reward of its own task. The :class:`RewardSet` wraps each into a
:class:`~rlvr.rewards.adapter.SafeReward` (TRL's signature) and carries the weights, which the trainer
passes on as ``GRPOConfig.reward_weights``. Validation (:meth:`RewardSet.config_issues`) checks params
against each scorer's signature, its annotations (types, ``Literal`` choices, bounds) and its optional
``param_issues`` rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from rlvr.config.build import locate_target, target_or_issue
from rlvr.config.errors import ConfigIssue, closest
from rlvr.config.types import matches, parameter_hints, value_issues_of
from rlvr.interfaces import Judge
from rlvr.rewards.adapter import ON_ERROR, RUNTIME_INPUTS, SafeReward, is_batched
from rlvr.rewards.judge import correctness_judge, format_check


class RewardSet:
    """Weighted reward functions.

    ``weights`` (optional) replaces the per-entry weights; ``on_error`` and ``timeout`` are the defaults
    for entries that do not set their own."""

    def __init__(
        self,
        reward_functions: Sequence[dict[str, Any]],
        weights: Sequence[float] | None = None,
        on_error: str = "zero",
        timeout: float | None = 10.0,
    ):
        entries = [dict(e) for e in reward_functions]
        scorers = [locate_target(e["_target_"]) for e in entries]
        self.names = [e.get("name") or s.__name__ for e, s in zip(entries, scorers, strict=True)]
        self.weights = (
            [float(w) for w in weights]
            if weights is not None
            else [float(e.get("weight", 1.0)) for e in entries]
        )
        self.functions = [
            SafeReward(
                s,
                dict(e.get("params") or {}),
                n,
                e.get("on_error") or on_error,
                e["timeout"] if e.get("timeout") is not None else timeout,
                e.get("tasks"),
            )
            for s, e, n in zip(scorers, entries, self.names, strict=True)
        ]

    @property
    def error_counts(self) -> dict[str, int]:
        """Samples that got the ``on_error`` fallback so far, per function name."""
        return {f.name: f.errors for f in self.functions}

    def format_check(self) -> Callable[[str], bool] | None:
        """Format compliance for evaluation: the first ``@format_reward`` reward at its maximum; None
        without one (the evaluator then checks the prompt's answer format)."""
        return format_check(self.functions)

    def judge(self) -> Judge | None:
        """Correctness for evaluation: the first ``@correctness`` reward at its maximum — per task when
        entries name their ``tasks`` (a row is judged by the first correctness reward that scores its task)."""
        if not any(f.tasks for f in self.functions):
            return correctness_judge(self.functions)
        tasks = list(dict.fromkeys(t for f in self.functions for t in f.tasks or []))
        routed = {
            t: correctness_judge([f for f in self.functions if not f.tasks or t in f.tasks]) for t in tasks
        }
        by_task = {t: j for t, j in routed.items() if j is not None}
        default = correctness_judge([f for f in self.functions if not f.tasks])
        shown = default or next(iter(by_task.values()), None)
        if shown is None:
            return None

        def is_correct(completion: str, row: dict[str, Any]) -> bool:
            judge = by_task.get(row.get("task")) or default
            return judge is not None and judge.is_correct(completion, row)

        name = "per task: " + "; ".join(f"{t}: {j.name}" for t, j in by_task.items())
        return Judge(name, is_correct, shown.extract, by_task=by_task)

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        entries = kwargs.get("reward_functions")
        if not isinstance(entries, list) or not entries:
            return [
                ConfigIssue(
                    f"{prefix}.reward_functions",
                    entries,
                    "needs a non-empty list of reward entries",
                    "add at least one {_target_, weight, params} entry",
                )
            ]
        issues = [
            i for n, e in enumerate(entries) for i in _entry_issues(f"{prefix}.reward_functions[{n}]", e)
        ]
        issues += _safety_issues(prefix, kwargs)
        weights = kwargs.get("weights")
        if weights is not None and (not isinstance(weights, list) or len(weights) != len(entries)):
            count = len(weights) if isinstance(weights, list) else "a non-list"
            issues.append(
                ConfigIssue(
                    f"{prefix}.weights",
                    weights,
                    f"{prefix}.weights has {count} entries but {prefix}.reward_functions has {len(entries)}",
                    "give one weight per function, or remove weights to use each entry's weight",
                )
            )
        issues += _zero_weight_issues(prefix, entries, weights)
        names = [
            e.get("name") or str(e.get("_target_", "")).rsplit(".", 1)[-1]
            for e in entries
            if isinstance(e, dict)
        ]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            issues.append(
                ConfigIssue(
                    f"{prefix}.reward_functions",
                    dup,
                    "two entries log under the same name",
                    "give one of them a distinct `name:`",
                )
            )
        return issues


def _zero_weight_issues(prefix: str, entries: list[Any], weights: Any) -> list[ConfigIssue]:
    """Weights that are all 0 make every completion's reward 0: no advantage, nothing learned."""
    given = isinstance(weights, list) and len(weights) == len(entries)
    values = weights if given else [e.get("weight", 1.0) for e in entries if isinstance(e, dict)]
    if not values or not all(
        isinstance(w, (int, float)) and not isinstance(w, bool) and w == 0 for w in values
    ):
        return []
    key = f"{prefix}.weights" if given else f"{prefix}.reward_functions[*].weight"
    return [
        ConfigIssue(
            key,
            values,
            "every reward weight is 0, so every completion scores 0 and GRPO learns nothing",
            "give at least one reward a non-zero weight",
        )
    ]


_ENTRY_KEYS = ("_target_", "weight", "params", "name", "on_error", "timeout", "tasks")


def _safety_issues(key: str, node: dict[str, Any]) -> list[ConfigIssue]:
    """``on_error`` and ``timeout`` of the set or of one entry (null means: inherit the default)."""
    issues = []
    on_error = node.get("on_error")
    if on_error is not None and on_error not in ON_ERROR:
        issues.append(
            ConfigIssue(
                f"{key}.on_error",
                on_error,
                "unknown error policy",
                "use zero (score 0.0), none (leave unscored) or raise (stop the run)",
            )
        )
    timeout = node.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0
    ):
        issues.append(
            ConfigIssue(
                f"{key}.timeout",
                timeout,
                "timeout must be a positive number of seconds",
                f"e.g. {key}.timeout=5, or null for no limit",
            )
        )
    return issues


def _entry_issues(key: str, entry: Any) -> list[ConfigIssue]:
    if not isinstance(entry, dict):
        return [ConfigIssue(key, entry, "a reward entry must be a mapping", "use {_target_, weight, params}")]
    issues = []
    for extra in sorted(entry.keys() - set(_ENTRY_KEYS)):
        guess = closest(extra, _ENTRY_KEYS)
        issues.append(
            ConfigIssue(
                f"{key}.{extra}",
                entry[extra],
                "unknown reward-entry key",
                f"did you mean {key}.{guess}?" if guess else f"use {', '.join(_ENTRY_KEYS)}",
            )
        )
    if not isinstance(entry.get("weight", 1.0), (int, float)) or isinstance(entry.get("weight"), bool):
        issues.append(
            ConfigIssue(f"{key}.weight", entry["weight"], "weight must be a number", "e.g. weight: 1.0")
        )
    issues += _safety_issues(key, entry)
    tasks = entry.get("tasks")
    if tasks is not None and (
        not isinstance(tasks, list) or not tasks or not all(isinstance(t, str) and t for t in tasks)
    ):
        issues.append(
            ConfigIssue(
                f"{key}.tasks", tasks, "tasks must be a non-empty list of task names", "e.g. tasks: [finqa]"
            )
        )
    if "_target_" not in entry:
        return issues + [
            ConfigIssue(
                f"{key}._target_",
                None,
                "a reward entry needs _target_",
                "point it at a scorer, e.g. rlvr.rewards.correctness.numeric_correctness",
            )
        ]
    scorer, issue = target_or_issue(f"{key}._target_", entry["_target_"])
    if issue:
        return issues + [issue]
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        return issues + [ConfigIssue(f"{key}.params", params, "params must be a mapping", "e.g. params: {}")]
    return issues + _param_issues(key, entry["_target_"], scorer, params)


def _param_issues(key: str, target: str, scorer: Any, params: dict[str, Any]) -> list[ConfigIssue]:
    """Unknown params, params filled at run time, values that do not fit the scorer's annotations
    (:func:`rlvr.config.types.value_issues_of`: types, ``Literal`` choices, bounds), then its own rules."""
    parameters = inspect.signature(scorer).parameters
    accepted = list(parameters)[2:] if is_batched(scorer) else list(parameters)[1:]
    hints = parameter_hints(scorer)
    issues = []
    for name, value in params.items():
        where = f"{key}.params.{name}"
        if name in RUNTIME_INPUTS and not is_batched(scorer):
            issues.append(ConfigIssue(where, value, "filled per sample at run time", f"remove {where}"))
        elif name not in accepted:
            guess = closest(name, accepted)
            fix = f"did you mean {key}.params.{guess}?" if guess else f"valid params: {', '.join(accepted)}"
            issues.append(ConfigIssue(where, value, f"not a parameter of {target}", fix))
        elif name in hints:
            hint = hints[name]
            # A YAML scalar for a list (`strategies: hash`) is one item, as extract_answer reads it.
            one = isinstance(value, str) and not matches(hint, value) and matches(hint, [value])
            issues += value_issues_of(where, [value] if one else value, hint, parameters[name].default)
    rules = getattr(scorer, "param_issues", None)
    if callable(rules) and not issues:  # the rules may assume the params above are well-formed
        fix = "change the params named in the rule"
        issues += [ConfigIssue(f"{key}.params", params, problem, fix) for problem in rules(params)]
    return issues
