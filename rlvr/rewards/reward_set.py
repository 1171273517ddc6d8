"""The reward component: a list of ``{_target_, weight, params, name, on_error, timeout, tasks}`` entries.

Each entry's ``_target_`` is a scorer (see :mod:`rlvr.rewards.adapter` for the convention), ``params`` its
keyword arguments, ``name`` the metric name (default: the function's name), ``on_error`` and ``timeout``
its safety settings (default: the set's), ``tasks`` the tasks whose rows it scores (several tasks in one
run, :mod:`rlvr.data.mixture`; default: every row). With ``tasks``, the evaluation judge is routed too:
each row is judged by the correctness reward of its own task. The :class:`RewardSet` wraps each into a
:class:`~rlvr.rewards.adapter.SafeReward` (TRL's signature) and carries the weights, which the trainer
passes on as ``GRPOConfig.reward_weights``. An entry is a typed node (:class:`RewardEntry`): validation
checks its keys and values from the fields, then its :meth:`RewardEntry.rules` import the scorer and check
``params`` against its signature, its annotations (types, ``Literal`` choices, bounds) and its optional
``param_issues`` rules; :meth:`RewardSet.config_issues` keeps the rules across entries.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from rlvr.config.build import locate_target, target_or_issue
from rlvr.config.errors import ConfigIssue, closest
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast, matches, parameter_hints, value_issues_of
from rlvr.interfaces import Judge
from rlvr.rewards.adapter import RUNTIME_INPUTS, OnError, SafeReward, is_batched
from rlvr.rewards.judge import correctness_judge, format_check

#: Seconds one scorer call may take; null: no limit.
Timeout = Annotated[float, AtLeast(0, strict=True, note="seconds; null: no limit")] | None


@dataclass(frozen=True)
class RewardEntry(Settings):
    """One item of ``reward.reward_functions``."""

    #: The scorer's dotted path (:mod:`rlvr.rewards.adapter` for the convention). Typed ``Any`` on purpose:
    #: the import in :meth:`rules` judges it as every ``_target_`` is judged ("must be a dotted import
    #: path" for a number, where a type check would advise quoting it).
    _target_: Any
    #: Its share of the total reward (``reward.weights`` replaces it when set).
    weight: float = 1.0
    #: The scorer's keyword arguments.
    params: dict[str, Any] | None = None
    #: The metric name; null: the function's name.
    name: str | None = None
    #: What a failure gives the sample; null: the set's ``on_error``.
    on_error: OnError | None = None
    #: Seconds one call may take; null: the set's ``timeout``.
    timeout: Timeout = None
    #: The tasks whose rows it scores; null: every row.
    tasks: list[str] | None = None

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """``tasks`` names some task; the scorer imports and ``params`` fit it."""
        issues = []
        if self.tasks is not None and not (self.tasks and all(self.tasks)):
            rule = "tasks must be a non-empty list of task names"
            issues.append(ConfigIssue(f"{prefix}.tasks", self.tasks, rule, "e.g. tasks: [finqa]"))
        scorer, issue = target_or_issue(f"{prefix}._target_", self._target_)
        if issue:
            return issues + [issue]
        return issues + _param_issues(prefix, self._target_, scorer, dict(self.params or {}))


class RewardSet:
    """Weighted reward functions.

    ``weights`` (optional) replaces the per-entry weights; ``on_error`` and ``timeout`` are the defaults
    for entries that do not set their own."""

    def __init__(
        self,
        reward_functions: Sequence[RewardEntry],
        weights: Sequence[float] | None = None,
        on_error: OnError = "zero",
        timeout: Timeout = 10.0,
    ):
        entries = [RewardEntry.of(e) for e in reward_functions]
        scorers = [locate_target(e._target_) for e in entries]
        self.names = [e.name or s.__name__ for e, s in zip(entries, scorers, strict=True)]
        self.weights = (
            [float(w) for w in weights] if weights is not None else [float(e.weight) for e in entries]
        )
        self.functions = [
            SafeReward(
                s,
                dict(e.params or {}),
                n,
                e.on_error or on_error,
                timeout if e.timeout is None else e.timeout,
                e.tasks,
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
        """The rules across entries; each entry is checked as a :class:`RewardEntry` from its fields."""
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
        issues = []
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
