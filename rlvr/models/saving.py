"""Saving a trained policy: the adapter for LoRA kinds, and on request a merged full model.

The merged model is built from a copy of the adapter's weights, so the trainer's own model is never
modified (merging in place would leave later saves and evaluations with a merged base). A 4-bit base is
dequantised for the merge, so the result is a plain float model that ``from_pretrained`` loads anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def save_merged(policy: Any, tokenizer: Any, directory: Path, dtype: str = "auto") -> Path:
    """Write ``policy`` with its LoRA adapter merged into the base weights, plus the tokenizer."""
    import torch
    from transformers import AutoModelForCausalLM

    from rlvr.rollout.weights import base_model, merged_weights

    base = base_model(policy)
    config = base.config.__class__.from_dict(base.config.to_dict())
    config.use_cache = True
    if hasattr(config, "quantization_config"):  # the merged copy holds plain float weights
        delattr(config, "quantization_config")
    torch_dtype = _save_dtype(dtype, base, torch)
    with torch.random.fork_rng(), torch.device("cpu"):
        merged = AutoModelForCausalLM.from_config(config, dtype=torch_dtype)
    weights = merged_weights(policy)
    with torch.no_grad():
        for name, param in merged.named_parameters():
            param.copy_(weights[name].to(device="cpu", dtype=param.dtype))
    merged.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return Path(directory)


def _save_dtype(name: str, base: Any, torch: Any) -> Any:
    if name != "auto":
        return getattr(torch, name)
    dtypes = {p.dtype for p in base.parameters() if p.is_floating_point()}
    return torch.float32 if torch.float32 in dtypes else next(iter(dtypes), torch.float32)
