"""The trainer class a run uses, and the ``auto`` choices of the training step, made once the model exists.

``compose_trainer_class`` stacks rlvr's mixins over TRL's ``GRPOTrainer`` (or the fast-rollout subclass):
:class:`~rlvr.training.lean_step.LeanStepMixin` (what the policy forward sees) over
:class:`~rlvr.training.dynamic_sampling.DynamicSamplingMixin` (which groups reach the loss) over
:class:`~rlvr.training.curriculum.CurriculumMixin` (which rows the groups come from). Each overrides
only GRPOTrainer's own methods and calls them; no part of TRL's loss is copied.
"""

from __future__ import annotations

import sys
from typing import Any

from rlvr.console import say
from rlvr.errors import ConfigError
from rlvr.training.step_settings import DynamicSampling


def compose_trainer_class(
    base: type, packing: str, micro_batch_tokens: int | None, dynamic: DynamicSampling
) -> type:
    from rlvr.training.curriculum import CurriculumMixin
    from rlvr.training.dynamic_sampling import DynamicSamplingMixin
    from rlvr.training.lean_step import LeanStepMixin

    attributes = {"_packing": packing, "_micro_batch_tokens": micro_batch_tokens, "_dynamic": dynamic}
    mixins = (LeanStepMixin, DynamicSamplingMixin, CurriculumMixin)
    return type(f"Rlvr{base.__name__}", (*mixins, base), attributes)


def resolve_packing(packing: str, model: Any) -> str:
    """``train.packing`` for this model and machine; prints the path and why. ``auto`` is ``prefix``
    where varlen attention runs (CUDA, torch ≥ 2.10; the fastest path measured, for LoRA and full
    fine-tuning: benchmarks/README.md), ``trim`` elsewhere (packed attention off CUDA runs per row or
    through a dense tokens x tokens mask: exact, for tests), and ``off`` under Unsloth, whose trainer
    computes log-probs inside its own fused loss."""
    from rlvr.training.varlen_attention import use_varlen_attention, varlen_available

    unsloth = "unsloth" in sys.modules
    if packing == "auto":
        if unsloth:
            chosen, reason = "off", "auto: Unsloth's trainer scores completions inside its own loss"
        elif varlen_available() and _text_only(model):
            chosen, reason = "prefix", "auto: varlen attention on CUDA, each group's prompt forwarded once"
        else:
            chosen, reason = "trim", "auto: no varlen attention here (needs CUDA and torch >= 2.10)"
    else:
        chosen, reason = packing, "as set"
    if chosen in ("padding_free", "prefix") and unsloth:
        raise ConfigError(
            f"train.packing={chosen} does not work with model_component=unsloth: Unsloth's trainer "
            "computes log-probs inside its own fused loss. Fix: train.packing=auto (off under Unsloth)"
        )
    if chosen == "prefix" or (chosen == "padding_free" and varlen_available()):
        use_varlen_attention(model)  # prefix: its layout's attention, on CUDA and (per segment) elsewhere
    say(f"training step: train.packing={chosen} ({reason})")
    return chosen


def _text_only(model: Any) -> bool:
    config = getattr(model, "config", None)
    return config is not None and getattr(config, "vision_config", None) is None


def resolve_checkpointing(
    value: Any,
    model: Any,
    grpo_args: dict[str, Any],
    micro_batch_tokens: int | None,
    prompt_tokens: int | None,
) -> bool:
    """``train.gradient_checkpointing``: ``auto`` keeps activations when the estimate
    (:func:`activation_gib`) fits in 70 % of the free GPU memory, and is off on a CPU
    (host memory; recomputation would only slow the step). Prints the decision and its figures."""
    if value != "auto":
        return bool(value)
    import torch

    if not torch.cuda.is_available():
        say("training step: gradient_checkpointing=false (auto: no CUDA device)")
        return False
    config = getattr(model, "config", None)
    completion = int(grpo_args.get("max_completion_length") or 256)
    rows = int(grpo_args.get("per_device_train_batch_size") or 8)
    tokens = micro_batch_tokens or rows * ((prompt_tokens or 512) + completion)
    bytes_per_value = 2 if grpo_args.get("bf16") or grpo_args.get("fp16") else 4
    try:
        need = activation_gib(config, tokens, bytes_per_value)
    except (AttributeError, TypeError):
        say("training step: gradient_checkpointing=true (auto: the model config gives no size to estimate)")
        return True
    free = torch.cuda.mem_get_info()[0] / 2**30
    keep = need <= 0.7 * free
    say(
        f"training step: gradient_checkpointing={str(not keep).lower()} (auto: activations of a "
        f"{tokens}-token micro-batch ≈ {need:.1f} GiB, {free:.1f} GiB free)"
    )
    return not keep


def activation_gib(config: Any, tokens: int, bytes_per_value: int = 2) -> float:
    """Activations a forward keeps for its backward without gradient checkpointing, in GiB: per token
    and decoder layer about 10 hidden-size vectors (norms, q/k/v/o inputs and outputs, residuals) and 5
    intermediate-size ones (gate, up, their product, the activation); TRL's chunked head keeps no full
    logits. On the 0.40B shape it estimated 47 GiB for a 64-row micro-batch whose run peaked at 45 GiB
    (H100, padding-free, LoRA)."""
    per_token = config.num_hidden_layers * (10 * config.hidden_size + 5 * config.intermediate_size)
    return per_token * tokens * bytes_per_value / 2**30
