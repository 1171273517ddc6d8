"""Rules for the ``eval`` node that its signature cannot state, checked before anything heavy loads."""

from __future__ import annotations

from typing import Any

from rlvr.answers import unknown_strategies
from rlvr.config.errors import ConfigIssue
from rlvr.evaluation.suite import suite_issues
from rlvr.rollout.choice import backend_issue

JUDGES = ("reward", "numeric")
#: Periodic-eval metrics a best checkpoint can be chosen by (higher is better for each).
BEST_METRICS = ("accuracy", "format_rate")
BEST_MODELS = ("final", "best")


def eval_config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Every problem in an ``eval`` node: choices, counts and the ``k`` list against the sample count."""
    issues = [
        ConfigIssue(f"{prefix}.{key}", kwargs[key], rule, fix)
        for key, choices, rule, fix in (
            (
                "judge",
                JUDGES,
                "unknown judge",
                "use reward (the correctness reward at its maximum) or numeric",
            ),
            (
                "metric_for_best",
                BEST_METRICS,
                "unknown metric for the best checkpoint",
                f"use one of {', '.join(BEST_METRICS)}",
            ),
            (
                "best_model",
                BEST_MODELS,
                "unknown best_model choice",
                "use final (keep only final_model/) or best (also save the best policy to best_model/)",
            ),
        )
        if key in kwargs and kwargs[key] not in choices
    ]
    if "backend" in kwargs and (problem := backend_issue(kwargs["backend"], rollouts=False)):
        issues.append(ConfigIssue(f"{prefix}.backend", kwargs["backend"], *problem))
    if bad := unknown_strategies(kwargs.get("strategies") or []):
        issues.append(
            ConfigIssue(
                f"{prefix}.strategies",
                bad,
                "unknown extraction strategies",
                "use hash, boxed, answer_tag, answer_is, last_number",
            )
        )
    for key, low in (("every_n_steps", 0), ("periodic_samples", 1), ("samples_per_problem", 0)):
        value = kwargs.get(key)
        if isinstance(value, int) and value < low:
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}", value, f"must be >= {low}", f"set {prefix}.{key} to {low} or more"
                )
            )
    issues.extend(_size_issues(prefix, kwargs))
    issues.extend(_k_issues(prefix, kwargs))
    issues.extend(suite_issues(f"{prefix}.suite", kwargs.get("suite")))
    return issues


#: Sizes that must be at least 1: key → (what 0 or less would do, an example). ``max_samples`` may be null.
SIZES = {
    "max_samples": (
        "must be at least 1, or null for the whole split (0 would evaluate every row, -1 none at all)",
        "e.g. {key}=200, or {key}=null for the whole split",
    ),
    "batch_size": ("must be at least 1 (rows generated together)", "e.g. {key}=32"),
    "max_new_tokens": ("must be at least 1 (tokens generated per answer)", "e.g. {key}=512"),
}


def _size_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Counts below 1 pass the type check and then evaluate nothing, everything, or crash after the load."""
    issues = []
    for key, (rule, fix) in SIZES.items():
        value = kwargs.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            issues.append(ConfigIssue(f"{prefix}.{key}", value, rule, fix.format(key=f"{prefix}.{key}")))
    return issues


def _k_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Each k must lie in 1..samples_per_problem when sampling is on: pass@k needs k samples."""
    n = kwargs.get("samples_per_problem", 8)
    ks = kwargs.get("k", [1, 4, 8])
    if not isinstance(n, int) or n <= 0 or not isinstance(ks, list):
        return []
    bad = [k for k in ks if not isinstance(k, int) or not 1 <= k <= n]
    if not bad:
        return []
    return [
        ConfigIssue(
            f"{prefix}.k",
            ks,
            f"every k must be between 1 and samples_per_problem ({n}); {bad} is not",
            f"drop {bad} from {prefix}.k or raise {prefix}.samples_per_problem",
        )
    ]
