"""The GRPO training loop component (TRL's GRPOTrainer, configured, never forked)."""

from rlvr.training.grpo import GRPOTrainingLoop

__all__ = ["GRPOTrainingLoop"]
