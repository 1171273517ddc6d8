"""``train.rollout``: which generator makes GRPO's rollouts and the engine's options, checked before
anything heavy is imported.

    python run_pipeline.py train.rollout.backend=fast      # rlvr's engine (auto on a CUDA GPU)
    python run_pipeline.py train.rollout.backend=hf        # the model's generate, through TRL (auto on CPU)
    python run_pipeline.py train.rollout.backend=vllm      # TRL's vLLM path (colocate unless train.vllm_mode)

The backend names and what ``auto`` means are :mod:`rlvr.rollout.choice`'s, shared with ``eval.backend``.
On CPU the engine gives no speed-up and the model's own ``generate`` is the reference. Under
``model_component=unsloth`` the engine builds its inference copy from transformers' unpatched classes
(:mod:`rlvr.rollout.unpatched`), so ``auto`` is the engine there too, except when the model carries
Unsloth's vLLM engine (``model.fast_inference=true``): then ``hf``, which Unsloth routes to that engine.
``vllm`` (TRL's vLLM path) is refused under Unsloth: ``model.fast_inference`` is Unsloth's way to vLLM.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.rollout.attention import CHOICES as DECODE_ATTENTION
from rlvr.rollout.choice import backend_issue, canonical

DTYPES = ("auto", "bfloat16", "float16", "float32")
DEFAULT_ROLLOUT = {
    "backend": "auto",
    "dtype": "auto",
    "compile": None,
    "check_every": 16,
    "logprob_gap_every": 25,
    "decode_attention": "grouped",
}


def engine_options(settings: dict[str, Any]) -> dict[str, Any]:
    """The :class:`rlvr.rollout.RolloutEngine` keyword arguments of a ``train.rollout`` node."""
    return {k: settings[k] for k in ("dtype", "compile", "check_every", "decode_attention")}


def rollout_issues(prefix: str, rollout: Any) -> list[ConfigIssue]:
    """Problems in the ``train.rollout`` node, each with its fix."""
    if rollout is None:
        return []
    if not isinstance(rollout, dict):
        return [ConfigIssue(prefix, rollout, "must be a mapping", f"e.g. {prefix}.backend=fast")]
    issues = [
        ConfigIssue(
            f"{prefix}.{key}", rollout[key], "unknown rollout key", f"use {', '.join(DEFAULT_ROLLOUT)}"
        )
        for key in sorted(set(rollout) - set(DEFAULT_ROLLOUT))
    ]
    settings = {**DEFAULT_ROLLOUT, **rollout}
    if problem := backend_issue(settings["backend"], rollouts=True):
        issues.append(ConfigIssue(f"{prefix}.backend", settings["backend"], *problem))
    for key, allowed in (("dtype", DTYPES), ("decode_attention", DECODE_ATTENTION)):
        if settings[key] not in allowed:
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}",
                    settings[key],
                    f"not one of {', '.join(allowed)}",
                    f"use {prefix}.{key}={allowed[0]}",
                )
            )
    if settings["compile"] not in (None, True, False):
        issues.append(
            ConfigIssue(
                f"{prefix}.compile",
                settings["compile"],
                "must be true, false or null (auto)",
                f"set {prefix}.compile=null",
            )
        )
    every = settings["check_every"]
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        issues.append(
            ConfigIssue(
                f"{prefix}.check_every", every, "must be a positive integer", f"e.g. {prefix}.check_every=16"
            )
        )
    gap = settings["logprob_gap_every"]
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 0:
        issues.append(
            ConfigIssue(
                f"{prefix}.logprob_gap_every",
                gap,
                "must be a whole number of steps, 0 to switch it off",
                f"e.g. {prefix}.logprob_gap_every=25",
            )
        )
    if canonical(settings["backend"]) == "vllm" and importlib.util.find_spec("vllm") is None:
        issues.append(
            ConfigIssue(
                f"{prefix}.backend",
                "vllm",
                "vLLM is not installed",
                "pip install 'vllm>=0.22,<0.32' (a build matching your torch and CUDA), or use "
                f"{prefix}.backend=fast",
            )
        )
    return issues
