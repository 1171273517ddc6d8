"""Decode-step attention for the rollout engine's inference copy: grouped, without copying the KV cache.

Why: with a padding mask, transformers' SDPA path expands grouped-query K/V to every query head
(``repeat_kv``) before calling the kernel — on each decode step, for each layer, over the whole static
cache. For a 0.40B model with 14 query heads on 2 KV heads, 256 rows and a 768-position cache, that is
~350 MB written and read back per tensor per layer; an H200 profile of the engine
(``benchmarks/rollout_gpu.py --variants engine --profile``) put ~9.4 ms of its 11.9 ms decode step there
(the expansion and the attention kernel), against ~0.2 ms to read the weights.

Here a decode step (one query token) multiplies each KV head's keys by its group of query heads directly:
``[rows, kv_heads, group, dim] @ [rows, kv_heads, dim, cache]``, masked softmax in float32, then the same
for the values — K and V are read once, never copied. Anything else (prefill, a position bias, attention
sinks, different K/V head sizes) goes to transformers' own SDPA function unchanged. The mask is the SDPA
one (with :mod:`rlvr.rollout.attention_mask`'s guard), registered under the same name.

    python run_pipeline.py train.rollout.decode_attention=grouped   # default
    python run_pipeline.py train.rollout.decode_attention=sdpa      # transformers' SDPA for every step
"""

from __future__ import annotations

from typing import Any

#: The attention implementation name the engine's inference copy is built with.
NAME = "rlvr_grouped_decode"


def register_grouped_decode() -> str:
    """Register :func:`grouped_decode_attention` (and the SDPA mask under the same name); returns its name."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    from rlvr.rollout.attention_mask import guard_empty_attention_rows

    guard_empty_attention_rows()
    AttentionInterface.register(NAME, grouped_decode_attention)
    AttentionMaskInterface.register(NAME, AttentionMaskInterface._global_mapping["sdpa"])
    return NAME


def grouped_decode_attention(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    dropout: float = 0.0,
    scaling: float | None = None,
    position_bias: Any = None,
    **kwargs: Any,
) -> tuple[Any, None]:
    """transformers' attention-function contract: ``query`` ``[rows, heads, q_len, dim]``, ``key``/``value``
    ``[rows, kv_heads, cache, dim]``, a boolean (True = attend) or additive mask broadcastable to
    ``[rows, 1, q_len, cache]``; returns ``([rows, q_len, heads, dim], None)``."""
    import torch
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    rows, heads, q_len, dim = query.shape
    kv_heads = key.shape[1]
    special = position_bias is not None or kwargs.get("s_aux") is not None or key.shape[-1] != value.shape[-1]
    if q_len != 1 or special or heads % kv_heads:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling,
            position_bias=position_bias, **kwargs,
        )  # fmt: skip
    scale = dim**-0.5 if scaling is None else scaling
    grouped = query.reshape(rows, kv_heads, heads // kv_heads, dim)  # head h reads KV head h // group
    scores = torch.matmul(grouped, key.transpose(-1, -2)).float() * scale  # [rows, kv_heads, group, cache]
    if attention_mask is not None:
        mask = attention_mask[:, :, -1:, :]  # [rows, 1, 1, cache]
        if mask.dtype == torch.bool:
            scores = scores.masked_fill(~mask, float("-inf"))
        else:
            scores = scores + mask.float()
    probs = scores.softmax(dim=-1).to(value.dtype)
    out = torch.matmul(probs, value)  # [rows, kv_heads, group, dim]
    return out.reshape(rows, 1, heads, dim), None
