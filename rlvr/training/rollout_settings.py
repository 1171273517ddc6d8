"""``train.rollout``: which engine generates GRPO's rollouts, checked before anything heavy is imported.

    python run_pipeline.py train.rollout.backend=fast      # rlvr's engine (default on a CUDA GPU)
    python run_pipeline.py train.rollout.backend=trl       # TRL's own generate (default on CPU)
    python run_pipeline.py train.rollout.backend=vllm      # TRL's vLLM path (colocate unless train.vllm_mode)

``auto`` picks ``fast`` when CUDA is available and ``trl`` otherwise: on CPU the engine gives no speed-up
and TRL's path is the reference. With ``model_component=unsloth`` (Unsloth imported in this process) the
same holds — the engine builds its inference copy from transformers' unpatched classes
(:mod:`rlvr.rollout.unpatched`), and on an H200 it made a GRPO step of the 0.40B benchmark shape 2× faster
than Unsloth's own generation (benchmarks/README.md) — except when the model carries
Unsloth's vLLM engine (``model.fast_inference=true``): then ``auto`` is ``trl``, which Unsloth routes to
that engine. ``vllm`` (TRL's vLLM path) is refused under Unsloth: ``model.fast_inference`` is Unsloth's
way to vLLM.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from rlvr.config.errors import ConfigIssue

BACKENDS = ("auto", "trl", "fast", "vllm")
DTYPES = ("auto", "bfloat16", "float16", "float32")
DECODE_ATTENTION = ("grouped", "sdpa")  # rlvr.rollout.attention.CHOICES, without importing torch here
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
    for key, allowed in (("backend", BACKENDS), ("dtype", DTYPES), ("decode_attention", DECODE_ATTENTION)):
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
    if settings["backend"] == "vllm" and importlib.util.find_spec("vllm") is None:
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
