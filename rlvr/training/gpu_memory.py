"""``gpu/peak_memory_gib`` in each step's log: the most GPU memory this process has allocated so far.

Why: memory is what decides the batch size and the backend (full, LoRA, QLoRA, Unsloth). The pre-load
estimate (:mod:`rlvr.models.memory`) is a forecast; this is the measurement, per step in
``metrics.jsonl`` and as the run's maximum in ``summary.json`` ("peak GPU memory"). Read from
``torch.cuda.max_memory_allocated`` (tensors the caching allocator handed out, on this rank's device),
so it is what the run needed, not what the allocator happens to keep reserved. On CPU nothing is logged.
"""

from __future__ import annotations

from typing import Any

KEY = "gpu/peak_memory_gib"


def gpu_memory_callback() -> Any:
    """A ``TrainerCallback`` adding :data:`KEY` to step logs, or None without CUDA."""
    import torch

    if not torch.cuda.is_available():
        return None
    from transformers import TrainerCallback

    class GpuPeakMemory(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any):
            if logs is not None and "loss" in logs:  # training-step logs, not the final train summary
                logs[KEY] = round(torch.cuda.max_memory_allocated() / 2**30, 3)

    return GpuPeakMemory()
