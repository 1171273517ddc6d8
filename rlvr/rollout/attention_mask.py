"""No query attends to nothing: a guard on transformers' SDPA attention mask, for the policy and the engine.

It lives in the generation layer because both users need it: the model components install it when they
load the policy (its training forward), and the engine's inference copy registers the guarded mask under
its own attention name (:mod:`rlvr.rollout.attention`).

Why: TRL pads prompts on the left, so in the policy's training forward the query at a padded position has
every key masked (causal, and the keys before it are padding too). transformers 5 passes such all-False
rows to ``torch.nn.functional.scaled_dot_product_attention`` unchanged (its 4.x ``allow_torch_fix``, which
unmasked them, is gone). The forward is fine — the fused kernels return zeros there — but on a GPU the
backward can return NaN for those rows (bf16, LoRA, torch 2.11: the first non-finite gradient appears in
the last decoder layer's attention backward, at every left-padded position and nowhere else). Those
positions are outside the loss, so their output gradient is exactly zero, but 0 × NaN in the weight
products makes every weight gradient NaN ("non-finite gradients in all 420 tensors").

The guard lets a fully masked row attend to every key instead. Only padded positions change: no real
token ever attends to a padded key, so logits, log-probs, the loss and its gradients are the same as
before (``tests/rollout/test_attention_mask.py`` checks this), and the NaN has nowhere to come from. Eager,
flash-attention and flex attention build their masks differently and are left alone.
"""

from __future__ import annotations

from typing import Any

#: Marks the wrapped mask function, so installing twice (several model loads in one process) is harmless.
_MARK = "_rlvr_no_empty_rows"


def guard_empty_attention_rows() -> None:
    """Register, once per process, an SDPA mask function that unmasks rows with no key to attend to."""
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS, AttentionMaskInterface

    current = AttentionMaskInterface._global_mapping["sdpa"]
    if getattr(current, _MARK, False):
        return

    def sdpa_mask_without_empty_rows(*args: Any, **kwargs: Any) -> Any:
        return unmask_empty_rows(current(*args, **kwargs))

    setattr(sdpa_mask_without_empty_rows, _MARK, True)
    ALL_MASK_ATTENTION_FUNCTIONS.register("sdpa", sdpa_mask_without_empty_rows)


def unmask_empty_rows(mask: Any) -> Any:
    """``mask`` (boolean, ``[batch, heads, queries, keys]``, True = attend) with every all-False query row
    set to all-True; anything else (None: causal without padding) is returned as it is."""
    import torch

    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        return mask
    return mask | ~mask.any(dim=-1, keepdim=True)
