"""``train.rollout``: which engine generates GRPO's rollouts, checked before anything heavy is imported.

    python run_pipeline.py train.rollout.backend=fast      # rlvr's engine (default on a CUDA GPU)
    python run_pipeline.py train.rollout.backend=trl       # TRL's own generate (default on CPU)
    python run_pipeline.py train.rollout.backend=vllm      # TRL's vLLM path (colocate unless train.vllm_mode)

``auto`` picks ``fast`` when CUDA is available and ``trl`` otherwise: on CPU the engine gives no speed-up
and TRL's path is the reference. With ``model_component=unsloth`` (Unsloth imported in this process)
``auto`` is ``trl``, Unsloth's own generation (vLLM with ``model.fast_inference=true``). ``fast`` is the
engine there too, asked for by name: its inference copy is built from transformers' unpatched classes
(:mod:`rlvr.rollout.unpatched`). It is checked on CPU, where Unsloth patches nothing and the patch is
simulated; until a GPU run measures it against Unsloth's path, ``auto`` keeps Unsloth's. ``vllm`` (TRL's
vLLM path) is refused under Unsloth: ``model.fast_inference`` is Unsloth's way to vLLM.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.errors import ConfigError

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


def resolve_backend(backend: str) -> str:
    """``auto`` → ``trl`` under Unsloth, else ``fast`` on a CUDA GPU and ``trl`` elsewhere; other names
    unchanged (``vllm`` under Unsloth is a :class:`ConfigError`)."""
    if "unsloth" in sys.modules:
        if backend == "vllm":
            raise ConfigError(
                "train.rollout.backend=vllm does not work with model_component=unsloth: TRL's vLLM path "
                "would load a second copy beside Unsloth's. Use model.fast_inference=true for Unsloth's "
                "vLLM path, or train.rollout.backend=fast (rlvr's engine) or auto (Unsloth's generation)"
            )
        return "fast" if backend == "fast" else "trl"
    if backend != "auto":
        return backend
    import torch

    return "fast" if torch.cuda.is_available() else "trl"


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
