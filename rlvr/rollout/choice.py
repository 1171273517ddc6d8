"""Which generator ``auto`` means, shared by the training loop's rollouts and the evaluator.

Lives beside the engine rather than in either component, so both resolve ``auto`` the same way; reads
``sys.modules`` and the model only, and imports torch only to ask for CUDA.
"""

from __future__ import annotations

import sys
from typing import Any

from rlvr.errors import ConfigError


def resolve_backend(backend: str, model: Any = None) -> str:
    """``auto`` → ``fast`` on a CUDA GPU and ``trl`` elsewhere, and ``trl`` when ``model`` carries Unsloth's
    vLLM engine; other names unchanged (``vllm`` under Unsloth is a :class:`ConfigError`)."""
    if "unsloth" in sys.modules and backend == "vllm":
        raise ConfigError(
            "train.rollout.backend=vllm does not work with model_component=unsloth: TRL's vLLM path "
            "would load a second copy beside Unsloth's. Use model.fast_inference=true for Unsloth's "
            "vLLM path, or train.rollout.backend=fast (rlvr's engine) or trl (Unsloth's generation)"
        )
    if backend != "auto":
        return backend
    if getattr(model, "vllm_engine", None) is not None:  # Unsloth's fast_inference: its vLLM generates
        return "trl"
    import torch

    return "fast" if torch.cuda.is_available() else "trl"
