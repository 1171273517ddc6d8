"""Is a checkpoint whole, and does it fit this run? Checked before a resume, so ``auto`` keeps its promise.

``train.resume_from_checkpoint=auto`` promises an exact continuation: weights, optimizer, scheduler and
data position. A checkpoint cut short (a crash or a full disk while it was written) may have its
``trainer_state.json`` but lack ``optimizer.pt`` — transformers would then resume with a fresh optimizer
and say nothing — or hold a truncated weights file that fails with a raw traceback. So a checkpoint
counts as complete only when every part a resume reads is there and whole: the trainer state parses,
the weights' safetensors header matches the file's length, the optimizer and scheduler archives are
whole zip files (``torch.save``'s format). Each check reads a few bytes, never the tensors.

A complete checkpoint must also fit the run: a LoRA adapter of another rank or other target modules
would stop with a 60-line ``size mismatch`` from deep inside the load. :func:`config_differences`
names each differing key instead (``model.lora.r 16 → 8``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rlvr.file_checks import archive_problem, safetensors_problem

#: Weight files a checkpoint may hold: a LoRA adapter, or a full model (one file or sharded).
WEIGHTS = (
    "adapter_model.safetensors",
    "adapter_model.bin",
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
#: torch.save archives a resume reads (rng states are per rank and optional).
ARCHIVES = ("optimizer.pt", "scheduler.pt")
#: Sharded optimizer and weights (DeepSpeed, FSDP) live in folders these checks do not open.
_SHARDED = ("global_step", "pytorch_model_fsdp", "optimizer_0")


def checkpoint_problem(checkpoint: Path) -> str | None:
    """Why ``checkpoint`` cannot continue a run exactly (``"no optimizer.pt"``), or None if it is whole."""
    state = checkpoint / "trainer_state.json"
    if not state.is_file():
        return "no trainer_state.json"
    try:
        int(json.loads(state.read_text(encoding="utf-8"))["global_step"])
    except (ValueError, KeyError, TypeError, OSError):
        return "trainer_state.json is unreadable (truncated?)"
    if any(p.name.startswith(_SHARDED) for p in checkpoint.iterdir()):
        return None  # DeepSpeed/FSDP states: their own loaders check them
    weights = [checkpoint / name for name in WEIGHTS if (checkpoint / name).is_file()]
    if not weights:
        return "no model or adapter weights"
    for path in weights:
        if path.suffix == ".safetensors" and (problem := safetensors_problem(path)):
            return problem
    for name in ARCHIVES:
        path = checkpoint / name
        if not path.is_file():
            return f"no {name}"
        if problem := archive_problem(path):
            return problem
    return None


def adapter_settings(checkpoint: Path) -> dict[str, Any] | None:
    """The LoRA settings a checkpoint's adapter was saved with, under rlvr's key names; None for a full model."""
    path = checkpoint / "adapter_config.json"
    if not path.is_file():
        return None
    saved = json.loads(path.read_text(encoding="utf-8"))
    return _lora(saved.get("r"), saved.get("lora_alpha"), saved.get("target_modules"))


def model_settings(model: Any) -> dict[str, Any] | None:
    """The LoRA settings of the model being trained (a PEFT model); None for full fine-tuning."""
    configs = getattr(model, "peft_config", None)
    if not configs:
        return None
    config = next(iter(configs.values()))
    return _lora(config.r, config.lora_alpha, config.target_modules)


def config_differences(checkpoint: Path, model: Any) -> list[tuple[str, Any, Any]]:
    """``[("model.lora.r", 16, 8), …]``: (key, the checkpoint's value, this run's) where they differ."""
    saved, current = adapter_settings(checkpoint), model_settings(model)
    if (saved is None) != (current is None):
        return [("model.lora.enabled", saved is not None, current is not None)]
    if saved is None or current is None:
        return []
    return [(f"model.lora.{key}", saved[key], current[key]) for key in saved if saved[key] != current[key]]


def _lora(r: Any, alpha: Any, targets: Any) -> dict[str, Any]:
    listed = sorted(targets) if isinstance(targets, (list, set, tuple)) else targets
    return {"r": r, "alpha": alpha, "target_modules": listed}
