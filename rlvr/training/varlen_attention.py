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
    layout = kwargs.get("rlvr_layout")
    if layout is not None:
        return layout_attention(query, key, value, layout, scaling, sliding_window), None
    cu_seqlens = kwargs.get("cu_seq_lens_q")
    if cu_seqlens is None:
        from transformers.integrations.sdpa_attention import sdpa_attention_forward

        if sliding_window is not None:
            kwargs["sliding_window"] = sliding_window
        return sdpa_attention_forward(module, query, key, value, attention_mask, dropout, scaling, **kwargs)
    rows = RowLayout(cu_seqlens, int(kwargs["max_length_q"]), query.size(2))
    return layout_attention(query, key, value, rows, scaling, sliding_window), None


class RowLayout:
    """Packed rows as a layout: each row's queries attend to its own keys."""

    def __init__(self, cu_seqlens: torch.Tensor, max_length: int, tokens: int):
        self.cu_q = self.cu_k = cu_seqlens
        self.max_q = self.max_k = max_length
        self.key_index = torch.arange(tokens, device=cu_seqlens.device)
        self.identity = True


def layout_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    layout: Any,
    scaling: float | None,
    sliding_window: int | None = None,
) -> torch.Tensor:
    """Attention over a :class:`rlvr.training.prefix.PrefixLayout`: query segment s attends to the keys
    ``key_index[cu_k[s]:cu_k[s+1]]``, causally aligned at the end (its last query sees all its keys).
    Varlen kernels on CUDA; an SDPA call per segment elsewhere (exact; for tests and small CPU runs)."""
    same = getattr(layout, "identity", False)  # padding-free rows: keys are the queries' own tokens
    keys = key if same else key[:, :, layout.key_index]
    values = value if same else value[:, :, layout.key_index]
    if query.is_cuda and varlen_available():
        return _varlen(
            query, keys, values, layout.cu_q, layout.cu_k, layout.max_q, layout.max_k, scaling, sliding_window
        )
    if keys.size(1) != query.size(1):
        repeat = query.size(1) // keys.size(1)
        keys, values = keys.repeat_interleave(repeat, dim=1), values.repeat_interleave(repeat, dim=1)
    outs = []
    cu_q, cu_k = layout.cu_q.tolist(), layout.cu_k.tolist()
    for s in range(len(cu_q) - 1):
        q = query[:, :, cu_q[s] : cu_q[s + 1]]
        k, v = keys[:, :, cu_k[s] : cu_k[s + 1]], values[:, :, cu_k[s] : cu_k[s + 1]]
        i = torch.arange(q.size(2), device=q.device).unsqueeze(1) + (k.size(2) - q.size(2))
        j = torch.arange(k.size(2), device=q.device).unsqueeze(0)
        allowed = j <= i
        if sliding_window is not None:
            allowed &= j > i - sliding_window
        outs.append(
            torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=allowed, scale=scaling)
        )
    return torch.cat(outs, dim=2).transpose(1, 2).contiguous()


def _varlen(query, key, value, cu_q, cu_k, max_q, max_k, scaling, sliding_window):
    from torch.nn.attention.varlen import varlen_attn

    q, k, v = (t.squeeze(0).transpose(0, 1) for t in (query, key, value))  # (tokens, heads, dim)
    dtype = q.dtype
    if dtype not in (torch.float16, torch.bfloat16):  # fp32 weights under autocast: rotary output is fp32
        kernel = torch.get_autocast_dtype("cuda") if torch.is_autocast_enabled("cuda") else torch.bfloat16
        q, k, v = q.to(kernel), k.to(kernel), v.to(kernel)
    options = _causal_options(varlen_attn, sliding_window)
    if k.size(1) != q.size(1) and "enable_gqa" not in _parameters(varlen_attn):
        repeat = q.size(1) // k.size(1)
        k, v = k.repeat_interleave(repeat, dim=1), v.repeat_interleave(repeat, dim=1)
    elif k.size(1) != q.size(1):
        options["enable_gqa"] = True
    return varlen_attn(q, k, v, cu_q, cu_k, max_q, max_k, scale=scaling, **options).to(dtype).unsqueeze(0)


def _parameters(function: Any) -> set[str]:
    return set(inspect.signature(function).parameters)


def _causal_options(varlen_attn: Any, sliding_window: int | None) -> dict[str, Any]:
    """Causal masking in the spelling this torch's ``varlen_attn`` takes (``is_causal`` in 2.10,
    ``window_size=(left, 0)`` later)."""
    parameters = _parameters(varlen_attn)
    if "window_size" in parameters:
        return {"window_size": (-1 if sliding_window is None else sliding_window - 1, 0)}
    if sliding_window is not None:
        from rlvr.errors import ConfigError

        raise ConfigError(
            "train.packing: this torch's varlen_attn has no sliding window, which this model's attention "
            "needs. Fix: train.packing=trim, or a torch whose varlen_attn takes window_size"
        )
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
