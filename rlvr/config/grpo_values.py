"""Value rules for the ``train`` node, checked before trl is imported.

``GRPOConfig(learning_rate="abc", loss_type="dapoo")`` constructs without complaint; TRL notices only
once the optimizer or the loss is built, after the model has loaded — minutes into a GPU job. So each
key is checked here against GRPOConfig's annotation and choices (read from source by
:mod:`rlvr.config.grpo_fields`), then against the ranges below, which TRL never checks at all (a
negative learning rate trains backwards; ``max_steps=-1`` silently switches to 3 epochs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.config.grpo_fields import NO_DEFAULT, grpo_config_specs
from rlvr.config.types import type_issue

#: field -> (holds for a value of the right type, rule, fix); ``{key}`` in the fix is the full key.
RANGES: dict[str, tuple[Callable[[Any], bool], str, str]] = {
    "learning_rate": (lambda v: v > 0, "the learning rate must be > 0", "e.g. {key}=1e-5"),
    "max_steps": (
        lambda v: v >= 1,
        "max_steps must be a positive number of optimizer steps (-1, TRL's 'use num_train_epochs', would "
        "silently train 3 epochs instead)",
        "set {key} to a positive number of steps, e.g. {key}=500",
    ),
    "num_generations": (
        lambda v: v is not None and v >= 2,
        "GRPO compares completions within a group, so it needs at least 2",
        "set {key}=2 or more (8 is common)",
    ),
    "per_device_train_batch_size": (lambda v: v >= 1, "must be at least 1", "e.g. {key}=8"),
    "gradient_accumulation_steps": (lambda v: v >= 1, "must be at least 1", "e.g. {key}=1"),
    "max_completion_length": (lambda v: v >= 1, "completions need at least 1 token", "e.g. {key}=512"),
    "temperature": (
        lambda v: v > 0,
        "sampling needs a temperature > 0 (GRPO learns from differences within a group of samples)",
        "e.g. {key}=1.0",
    ),
    "top_p": (lambda v: 0 < v <= 1, "nucleus sampling needs 0 < top_p <= 1", "e.g. {key}=1.0 (no cut)"),
    "beta": (lambda v: v >= 0, "the KL coefficient cannot be negative", "use {key}=0.0 (no KL) or above"),
    "logging_steps": (
        lambda v: v > 0,
        "the trainer logs every logging_steps steps (a fraction below 1: of max_steps), so it must be > 0",
        "e.g. {key}=1",
    ),
    "warmup_steps": (
        lambda v: v >= 0,
        "warmup cannot be negative (a step count, or a fraction of max_steps below 1)",
        "e.g. {key}=0 or {key}=0.05",
    ),
}


def train_value_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Type, choice and range issues for the GRPOConfig fields in ``kwargs`` (unknown keys are skipped:
    the caller reports them with a did-you-mean)."""
    specs = grpo_config_specs()
    issues = []
    for name, value in kwargs.items():
        spec = specs.get(name)
        if spec is None:
            continue
        key = f"{prefix}.{name}"
        issue = type_issue(key, value, spec.hint, None if spec.default is NO_DEFAULT else spec.default)
        if issue is None and (value is not None or name == "num_generations") and name in RANGES:
            holds, rule, fix = RANGES[name]
            if not holds(value):
                issue = ConfigIssue(key, value, rule, fix.format(key=key))
        if issue:
            issues.append(issue)
    return issues + exclusive_issues(prefix, kwargs)


def exclusive_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Fields TRL refuses together, after the model has loaded: say so before."""
    if kwargs.get("steps_per_generation") is None or kwargs.get("generation_batch_size") is None:
        return []
    return [
        ConfigIssue(
            f"{prefix}.generation_batch_size",
            kwargs["generation_batch_size"],
            f"cannot be set together with {prefix}.steps_per_generation "
            f"({kwargs['steps_per_generation']}): each one fixes the generation batch",
            "set only one of them (the other null)",
        )
    ]
