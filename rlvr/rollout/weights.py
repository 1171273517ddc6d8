"""The policy's weights as plain tensors: LoRA deltas added, quantised weights dequantised.

Two users: the engine's inference copy (:mod:`rlvr.rollout.engine`, refreshed every optimizer step) and a
merged save (:mod:`rlvr.models.saving`). It lives in the generation layer, which the model components may
import, so the engine never reaches into a component.
"""

from __future__ import annotations

import copy
from typing import Any


def merged_weights(policy: Any) -> dict[str, Any]:
    """The policy's weights under the plain model's parameter names, with active LoRA deltas added.

    PEFT names a wrapped linear ``<module>.base_layer.weight`` next to its ``lora_A``/``lora_B``; the plain
    model calls it ``<module>.weight``. The delta comes from PEFT's own ``get_delta_weight`` (scaling and
    fan-in/fan-out handled there) and is added in float32 before the cast to the rollout dtype."""
    import torch

    base = base_model(policy)
    weights = {
        name.replace(".base_layer.", "."): _dense(param)
        for name, param in base.named_parameters()
        if "lora_" not in name
    }
    for name, module in base.named_modules():
        if not hasattr(module, "get_delta_weight") or not hasattr(module, "base_layer"):
            continue
        if getattr(module, "merged", False):
            continue  # already inside the base weight
        for adapter in module.active_adapters:
            if adapter in getattr(module, "lora_A", {}):
                key = f"{name}.weight"
                delta = module.get_delta_weight(adapter)
                weights[key] = weights[key].to(torch.float32) + delta.to(torch.float32)
    return weights


def _dense(param: Any) -> Any:
    """A parameter as a plain float tensor: bitsandbytes 4-bit weights (QLoRA) and 8-bit weights are
    dequantised, so the inference copy and a merged save hold ordinary weights."""
    quant_state = getattr(param, "quant_state", None)
    if quant_state is not None:  # dequantise in float32: the state's own dtype may round to bf16
        import torch
        from bitsandbytes.functional import dequantize_4bit

        state = copy.copy(quant_state)
        state.dtype = torch.float32
        return dequantize_4bit(param.data, state)
    scale = getattr(param, "SCB", None)
    if scale is not None and str(param.dtype) == "torch.int8":
        return param.data.float() * scale.float().unsqueeze(1) / 127
    return param.detach()


def base_model(policy: Any) -> Any:
    """The transformers model under PEFT (LoRA layers still inside) or the model itself."""
    return policy.get_base_model() if hasattr(policy, "get_base_model") else policy
