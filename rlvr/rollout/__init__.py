"""Fast rollout generation for GRPO and evaluation, shared by the training loop and the evaluator.

:class:`RolloutEngine` keeps a clean inference copy of the policy (LoRA merged into the copy only,
refreshed in place once per optimizer step) and samples with a preallocated static KV cache and a
compiled decode step. Nothing here imports torch or transformers at import time.
"""

from rlvr.rollout.engine import RolloutEngine, SamplingSettings, engine_for

__all__ = ["RolloutEngine", "SamplingSettings", "engine_for"]
