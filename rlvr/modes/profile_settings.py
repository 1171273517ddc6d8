"""``profile.*``: the settings of ``mode=profile``, typed here and checked at validation (before torch loads).

The node's keys are this dataclass's fields, so validation binds them like a component's
(:func:`rlvr.config.validate.profile_node_issues`): an unknown key gets the closest field, a mistyped
value its annotation, and :meth:`ProfileSettings.config_issues` the ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlvr.config.errors import ConfigIssue


@dataclass(frozen=True)
class ProfileSettings:
    """How ``mode=profile`` samples each training problem."""

    #: Completions sampled per problem: the pass rate's denominator.
    samples: int = 8
    #: Problems profiled: a seeded random subset of the train split; None = all of it.
    max_rows: int | None = None
    #: Sampling temperature (the config's default is the rollouts' own, ``train.temperature``).
    temperature: float = 1.0
    #: Longest completion in tokens (default: the rollouts' ``train.max_completion_length``).
    max_new_tokens: int = 512
    #: Completions generated per call (problems x samples).
    batch_size: int = 64

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = []
        for key, least in (("samples", 1), ("max_rows", 1), ("max_new_tokens", 1), ("batch_size", 1)):
            value = kwargs.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value < least:
                issues.append(
                    ConfigIssue(
                        f"{prefix}.{key}", value, f"must be at least {least}", f"e.g. {prefix}.{key}=8"
                    )
                )
        temperature = kwargs.get("temperature", 1.0)
        if isinstance(temperature, (int, float)) and not isinstance(temperature, bool) and temperature <= 0:
            issues.append(
                ConfigIssue(
                    f"{prefix}.temperature",
                    temperature,
                    "must be > 0: a pass rate needs sampled completions (greedy is one answer per problem)",
                    f"e.g. {prefix}.temperature=1.0",
                )
            )
        return issues
