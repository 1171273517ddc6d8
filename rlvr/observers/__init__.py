"""Observer components: where metrics, evaluation reports and alarms go (the sinks: JSONL, console, W&B, TensorBoard, yours)."""

from rlvr.observers.run_observer import RunObserver

__all__ = ["RunObserver"]
