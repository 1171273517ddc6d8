"""Observer components: where metrics and evaluation reports go (console, JSONL, W&B)."""

from rlvr.observers.run_observer import RunObserver

__all__ = ["RunObserver"]
