"""The reward component: a list of ``{_target_, weight, params}`` entries turned into TRL reward functions.

TRL calls each reward function as ``fn(prompts=..., completions=..., completion_ids=..., **columns)``
and logs it under ``rewards/<fn.__name__>/mean``. Our scorers are simpler — one completion string and
the dataset columns they name — so :func:`as_trl_reward` adapts them. A scorer's parameters split in two:
those without a default that ``params`` does not set are dataset columns (``answer``); the rest are params.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from rlvr.config.build import locate_target
from rlvr.config.errors import ConfigIssue, closest
from rlvr.config.validate import target_or_issue

Scorer = Callable[..., float | None]


def completion_text(completion: Any) -> str:
    """The text of a completion, plain (``str``) or conversational (``[{"role": ..., "content": ...}]``)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        return "".join(str(m.get("content", "")) for m in completion if isinstance(m, dict))
    return str(completion)


def scorer_columns(scorer: Scorer, params: dict[str, Any]) -> list[str]:
    """Dataset columns a scorer reads: its parameters after the first, without default, not in params."""
    names = list(inspect.signature(scorer).parameters.values())[1:]
    return [p.name for p in names if p.default is inspect.Parameter.empty and p.name not in params
            and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def as_trl_reward(scorer: Scorer, params: dict[str, Any], name: str) -> Callable[..., list[float | None]]:
    """Wrap a per-completion scorer into TRL's batched reward-function signature, named ``name``."""
    columns = scorer_columns(scorer, params)

    def reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        missing = [c for c in columns if c not in kwargs]
        if missing:
            available = sorted(k for k in kwargs if k not in ("completion_ids", "trainer_state"))
            raise KeyError(f"reward {name!r} needs dataset column(s) {missing}; the batch has {available}")
        return [
            scorer(completion_text(c), **{col: kwargs[col][i] for col in columns}, **params)
            for i, c in enumerate(completions)
        ]

    reward.__name__ = name
    reward.__qualname__ = name
    return reward


class RewardSet:
    """Weighted list of reward functions; ``weights`` (optional) replaces the per-entry weights."""

    def __init__(self, reward_functions: Sequence[dict[str, Any]], weights: Sequence[float] | None = None):
        self.entries = [dict(e) for e in reward_functions]
        scorers = [locate_target(e["_target_"]) for e in self.entries]
        self.names = [e.get("name") or s.__name__ for e, s in zip(self.entries, scorers, strict=True)]
        self.weights = [float(w) for w in weights] if weights is not None else [
            float(e.get("weight", 1.0)) for e in self.entries]
        self.functions = [as_trl_reward(s, dict(e.get("params") or {}), n)
                          for s, e, n in zip(scorers, self.entries, self.names, strict=True)]

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        entries = kwargs.get("reward_functions")
        if not isinstance(entries, list) or not entries:
            return [ConfigIssue(f"{prefix}.reward_functions", entries, "needs a non-empty list of reward entries",
                                "add at least one {_target_, weight, params} entry")]
        issues = [i for n, e in enumerate(entries) for i in _entry_issues(f"{prefix}.reward_functions[{n}]", e)]
        weights = kwargs.get("weights")
        if weights is not None and (not isinstance(weights, list) or len(weights) != len(entries)):
            count = len(weights) if isinstance(weights, list) else "a non-list"
            issues.append(ConfigIssue(f"{prefix}.weights", weights,
                                      f"{prefix}.weights has {count} entries but {prefix}.reward_functions has "
                                      f"{len(entries)}", "give one weight per function, or remove weights "
                                      "to use each entry's weight"))
        names = [e.get("name") or str(e.get("_target_", "")).rsplit(".", 1)[-1] for e in entries
                 if isinstance(e, dict)]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            issues.append(ConfigIssue(f"{prefix}.reward_functions", dup, "two entries log under the same name",
                                      "give one of them a distinct `name:`"))
        return issues


_ENTRY_KEYS = ("_target_", "weight", "params", "name")


def _entry_issues(key: str, entry: Any) -> list[ConfigIssue]:
    if not isinstance(entry, dict):
        return [ConfigIssue(key, entry, "a reward entry must be a mapping", "use {_target_, weight, params}")]
    issues = []
    for extra in entry.keys() - set(_ENTRY_KEYS):
        guess = closest(extra, _ENTRY_KEYS)
        issues.append(ConfigIssue(f"{key}.{extra}", entry[extra], "unknown reward-entry key",
                                  f"did you mean {key}.{guess}?" if guess else "use _target_, weight, params, name"))
    if not isinstance(entry.get("weight", 1.0), (int, float)):
        issues.append(ConfigIssue(f"{key}.weight", entry["weight"], "weight must be a number", "e.g. weight: 1.0"))
    if "_target_" not in entry:
        return issues + [ConfigIssue(f"{key}._target_", None, "a reward entry needs _target_",
                                     "point it at a scorer, e.g. rlvr.rewards.correctness.numeric_correctness")]
    scorer, issue = target_or_issue(f"{key}._target_", entry["_target_"])
    if issue:
        return issues + [issue]
    params = entry.get("params") or {}
    accepted = list(inspect.signature(scorer).parameters)[1:]
    for name in params:
        if name not in accepted:
            guess = closest(name, accepted)
            issues.append(ConfigIssue(f"{key}.params.{name}", params[name],
                                      f"not a parameter of {entry['_target_']}",
                                      f"did you mean {key}.params.{guess}?" if guess
                                      else f"valid params: {', '.join(accepted)}"))
    return issues
