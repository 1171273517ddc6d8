"""Variable-length causal attention for packed rows on CUDA, as a transformers attention implementation.

``train.packing=padding_free`` forwards the rows of a micro-batch as one sequence. Through SDPA that needs
a dense ``tokens x tokens`` block-diagonal mask (fine for a CPU test, hundreds of GB for a 100k-token GPU
micro-batch), so on CUDA the model runs under the implementation registered here, ``rlvr_varlen``:

* called with ``cu_seq_lens_q`` (rlvr's packed forward passes the row boundaries), it runs
  ``torch.nn.attention.varlen.varlen_attn`` (FlashAttention-2 kernels bundled in torch ≥ 2.10, no
  flash-attn package) over the packed rows;
* called any other way (TRL's generate, evaluation, the log-prob gap), it is transformers' SDPA path with
  SDPA's masks: :data:`PACKED` is set only while a packed forward builds its mask.

Registered once per process; selecting it is :func:`use_varlen_attention`.
"""

from __future__ import annotations

import contextvars
import inspect
from typing import Any

import torch

NAME = "rlvr_varlen"
#: True while rlvr's packed forward runs: the mask function then returns no mask (rows are cut by
#: ``cu_seq_lens``), otherwise it builds SDPA's mask.
PACKED: contextvars.ContextVar[bool] = contextvars.ContextVar("rlvr_packed_forward", default=False)


def varlen_available() -> bool:
    """Whether this torch has ``varlen_attn`` and a CUDA device to run it on."""
    try:
        from torch.nn.attention import varlen  # noqa: F401
    except ImportError:
        return False
    return torch.cuda.is_available()


def _mask(*args: Any, **kwargs: Any) -> Any:
    from transformers.masking_utils import sdpa_mask

    return None if PACKED.get() else sdpa_mask(*args, **kwargs)


def _attention(
    module: Any,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    dropout: float = 0.0,
    scaling: float | None = None,
    sliding_window: int | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, None]:
    cu_seqlens = kwargs.get("cu_seq_lens_q")
    if cu_seqlens is None:
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        if sliding_window is not None:
            kwargs["sliding_window"] = sliding_window
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout, scaling, **kwargs)
    return packed_attention(
        query, key, value, cu_seqlens, int(kwargs["max_length_q"]), scaling, sliding_window
    ), None


def packed_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    cu_seqlens: torch.Tensor,
    max_length: int,
    scaling: float | None,
    sliding_window: int | None = None,
) -> torch.Tensor:
    """Causal attention inside each packed row: ``(1, heads, tokens, dim)`` in (transformers' layout),
    ``(1, tokens, heads, dim)`` out (what the attention modules reshape)."""
    from torch.nn.attention.varlen import varlen_attn

    q, k, v = (t.squeeze(0).transpose(0, 1) for t in (query, key, value))  # (tokens, heads, dim)
    options = _causal_options(varlen_attn, sliding_window)
    if k.size(1) != q.size(1) and "enable_gqa" not in _parameters(varlen_attn):
        repeat = q.size(1) // k.size(1)
        k, v = k.repeat_interleave(repeat, dim=1), v.repeat_interleave(repeat, dim=1)
    elif k.size(1) != q.size(1):
        options["enable_gqa"] = True
    out = varlen_attn(q, k, v, cu_seqlens, cu_seqlens, max_length, max_length, scale=scaling, **options)
    return out.unsqueeze(0)


def _parameters(function: Any) -> set[str]:
    return set(inspect.signature(function).parameters)


def _causal_options(varlen_attn: Any, sliding_window: int | None) -> dict[str, Any]:
    """Causal masking in the spelling this torch's ``varlen_attn`` takes (``is_causal`` in 2.10,
    ``window_size=(left, 0)`` later)."""
    parameters = _parameters(varlen_attn)
    if "window_size" in parameters:
        return {"window_size": (-1 if sliding_window is None else sliding_window - 1, 0)}
    if sliding_window is not None:
        raise NotImplementedError("this torch's varlen_attn has no sliding window; use train.packing=trim")
    return {"is_causal": True}


def register() -> None:
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    AttentionInterface.register(NAME, _attention)
    AttentionMaskInterface.register(NAME, _mask)


def use_varlen_attention(model: Any) -> None:
    """Run ``model`` (a transformers model, possibly inside PEFT) under :data:`NAME`."""
    register()
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    for module in base.modules():
        config = getattr(module, "config", None)
        if config is not None and hasattr(config, "_attn_implementation"):
            config._attn_implementation = NAME
