"""The ``eval`` node's choices as types, and the rules between its keys that a type cannot state.

Each key's type, choices and bounds are :class:`rlvr.evaluation.greedy.GreedyAccuracy`'s annotations, which
validation checks before anything heavy loads; what is left here relates two keys (the ``k`` of pass@k and
the number of samples) or says more than a type can (``vllm`` makes rollouts, not evaluations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, get_args

from rlvr.config.errors import ConfigIssue
from rlvr.rollout.choice import EvalBackend

#: What decides correctness: the reward set's correctness reward at its maximum, or numeric matching.
JudgeChoice = Literal["reward", "numeric"]
#: Periodic-eval metrics a best checkpoint can be chosen by (higher is better for each).
BestMetric = Literal["accuracy", "format_rate"]
#: final: keep only final_model/; best: also save the best policy to best_model/.
BestModel = Literal["final", "best"]


def eval_rules(prefix: str, values: Mapping[str, Any]) -> list[ConfigIssue]:
    """The cross-key rules of an ``eval`` node; ``values`` holds every key (the defaults filled in)."""
    issues = []
    if values["backend"] == "vllm":
        names = ", ".join(get_args(get_args(EvalBackend)[0]))
        issues.append(
            ConfigIssue(
                f"{prefix}.backend",
                "vllm",
                f"not one of {names} for evaluation (vllm is for rollouts only)",
                "use auto (fast on a CUDA GPU, hf elsewhere), fast (rlvr's engine) or hf (the model's generate)",
            )
        )
    if issue := k_issue(
        f"{prefix}.k", values["k"], values["samples_per_problem"], f"{prefix}.samples_per_problem"
    ):
        issues.append(issue)
    return issues


def k_issue(key: str, ks: Sequence[int], samples: int, samples_key: str) -> ConfigIssue | None:
    """pass@k needs k samples: with sampling on (``samples`` > 0) each k lies in 1..samples."""
    bad = [k for k in ks if not 1 <= k <= samples]
    if samples <= 0 or not bad:
        return None
    return ConfigIssue(
        key,
        list(ks),
        f"every k must be between 1 and {samples_key.rsplit('.', 1)[-1]} ({samples}); {bad} is not",
        f"drop {bad} from {key} or raise {samples_key}",
    )
