"""Model components: load the policy model and tokenizer, and say how (if at all) to wrap it with LoRA."""

from rlvr.models.hf import HFModel

__all__ = ["HFModel"]
