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
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast
from rlvr.rollout.choice import ALIASES, Backend


@dataclass(frozen=True)
class RolloutSettings(Settings):
    """``train.rollout``: the generator and the rollout engine's options."""

    ALIASES = {"backend": ALIASES}

    #: Which generator makes rollouts (:mod:`rlvr.rollout.choice`).
    backend: Backend = "auto"
    #: The engine's inference copy dtype; auto = the policy's.
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = "auto"
    #: torch.compile the decode step; null = on where it pays (a CUDA GPU).
    compile: bool | None = None
    #: Every how many rollouts the engine compares its copy with the policy's weights.
    check_every: Annotated[int, AtLeast(1)] = 16
    #: Every how many optimizer steps the log-prob gap (engine vs trainer) is measured.
    logprob_gap_every: Annotated[int, AtLeast(0, note="0 switches it off")] = 25
    #: The decode attention of the inference copy: grouped (one KV read per group) or sdpa.
    decode_attention: Literal["grouped", "sdpa"] = "grouped"

    def engine_options(self) -> dict[str, Any]:
        """The :class:`rlvr.rollout.RolloutEngine` keyword arguments."""
        return {
            "dtype": self.dtype,
            "compile": self.compile,
            "check_every": self.check_every,
            "decode_attention": self.decode_attention,
        }

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """``vllm`` needs vLLM installed."""
        if self.backend == "vllm" and importlib.util.find_spec("vllm") is None:
            return [
                ConfigIssue(
                    f"{prefix}.backend",
                    "vllm",
                    "vLLM is not installed",
                    "pip install 'vllm>=0.22,<0.32' (a build matching your torch and CUDA), or use "
                    f"{prefix}.backend=fast",
                )
            ]
        return []
