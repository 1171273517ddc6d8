"""Observer components: where metrics, evaluation reports and alarms go (console, JSONL, W&B, TensorBoard)."""

from rlvr.observers.run_observer import RunObserver

__all__ = ["RunObserver"]
