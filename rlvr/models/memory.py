"""A pre-load GPU memory estimate: will this run fit, before minutes of loading find out?

    estimate = estimate_memory(config, MemoryPlan(trainable="lora", lora_r=16, ...))
    print(format_estimate(estimate))

From the model config alone (no weights): parameter count of a decoder-only transformer, weight memory
for the dtype or quantisation, gradients + AdamW state for what is trained (fp32), the reference model
when ``beta > 0`` (a LoRA run uses the adapter-free base instead, so it costs nothing), the rollout KV
cache for the generation batch and lengths, and the rollout engine's inference copy. Activations depend
on the kernels and on gradient checkpointing and are not included, which the printout says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rlvr.models.lora import LoraSettings
from rlvr.rollout.choice import choose

GIB = 2**30


@dataclass(frozen=True)
class MemoryPlan:
    """What the run will do with the model (from the model and train nodes)."""

    weight_bytes: float = 2.0  # per parameter: 4 fp32, 2 bf16/fp16, 1 int8, ~0.53 nf4 with double quant
    trainable: str = "lora"  # lora | full
    lora_r: int = 16
    generation_batch: int = 32  # completions generated per round on this device
    sequence_tokens: int = 1024  # prompt + completion tokens per completion (prompts counted as 512)
    beta: float = 0.0
    inference_copy: bool = False  # the fast rollout engine keeps a bf16 copy


def parameter_count(config: Any) -> dict[str, int]:
    """Parameters of a Llama/Qwen/Mistral-shaped decoder, split into linear layers and the rest."""
    hidden = config.hidden_size
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or hidden // heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    layers = config.num_hidden_layers
    attention = hidden * heads * head_dim * 2 + hidden * kv_heads * head_dim * 2
    mlp = 3 * hidden * config.intermediate_size
    embeddings = config.vocab_size * hidden * (1 if getattr(config, "tie_word_embeddings", False) else 2)
    linear = layers * (attention + mlp)
    return {
        "linear": linear,
        "other": embeddings + layers * 2 * hidden + hidden,
        "total": linear + embeddings,
    }


def lora_parameters(config: Any, rank: int) -> int:
    """Adapter parameters of all-linear LoRA: r x (fan-in + fan-out) per adapted linear layer."""
    hidden, inter = config.hidden_size, config.intermediate_size
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or hidden // heads
    kv = (getattr(config, "num_key_value_heads", None) or heads) * head_dim
    q = heads * head_dim
    per_layer = (hidden + q) * 2 + (hidden + kv) * 2 + (hidden + inter) * 2 + (inter + hidden)
    return rank * per_layer * config.num_hidden_layers


def kv_cache_bytes(config: Any, rows: int, tokens: int, bytes_per_value: int = 2) -> float:
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    kv_heads = getattr(config, "num_key_value_heads", None) or heads
    return 2 * config.num_hidden_layers * kv_heads * head_dim * rows * tokens * bytes_per_value


def estimate_memory(config: Any, plan: MemoryPlan) -> dict[str, float]:
    """GiB per part and in total (activations excluded)."""
    counts = parameter_count(config)
    trainable = counts["total"] if plan.trainable == "full" else lora_parameters(config, plan.lora_r)
    full_weights_kept = plan.trainable == "full" or plan.weight_bytes >= 2
    weights = counts["linear"] * plan.weight_bytes + counts["other"] * max(2.0, min(plan.weight_bytes, 4.0))
    parts = {
        "parameters_billion": counts["total"] / 1e9,
        "trainable_million": trainable / 1e6,
        "weights_gib": weights / GIB,
        "gradients_and_optimizer_gib": trainable * (4 + 8) / GIB
        + (trainable * 4 / GIB if plan.trainable == "lora" else 0),
        "reference_model_gib": weights / GIB
        if plan.beta > 0 and plan.trainable == "full" and full_weights_kept
        else 0.0,
        "rollout_kv_cache_gib": kv_cache_bytes(config, plan.generation_batch, plan.sequence_tokens) / GIB,
        "inference_copy_gib": counts["total"] * 2 / GIB if plan.inference_copy else 0.0,
    }
    parts["total_gib"] = sum(v for k, v in parts.items() if k.endswith("_gib"))
    return {k: round(v, 3) for k, v in parts.items()}


def format_estimate(estimate: dict[str, float]) -> str:
    """One console line."""
    return (
        f"memory estimate: {estimate['parameters_billion']:.2f}B parameters "
        f"({estimate['trainable_million']:.1f}M trained): weights {estimate['weights_gib']:.2f} GiB, "
        f"gradients+optimizer {estimate['gradients_and_optimizer_gib']:.2f}, reference "
        f"{estimate['reference_model_gib']:.2f}, rollout KV cache {estimate['rollout_kv_cache_gib']:.2f}, "
        f"inference copy {estimate['inference_copy_gib']:.2f} → {estimate['total_gib']:.2f} GiB "
        "(activations not included)"
    )


def fit_problem(estimate: dict[str, float], free_gib: float, total_gib: float) -> tuple[str, bool] | None:
    """(message, fatal) when the estimate does not fit the GPU: a warning above the free memory, an error
    when it exceeds the whole GPU by half again (no setting of the allocator will save it)."""
    need = estimate["total_gib"]
    if need > 1.5 * total_gib:
        return (
            f"the run needs about {need:.1f} GiB before activations but the GPU has {total_gib:.1f} GiB; "
            "use model_component=qlora, a smaller train.per_device_train_batch_size or "
            "train.max_completion_length, or a smaller model",
            True,
        )
    if need > free_gib:
        return (f"the run needs about {need:.1f} GiB before activations; {free_gib:.1f} GiB are free", False)
    return None


def plan_from_settings(model: dict[str, Any], train: dict[str, Any], cuda: bool) -> MemoryPlan:
    """A :class:`MemoryPlan` from the resolved ``model`` and ``train`` nodes (TRL's defaults where unset)."""
    lora = LoraSettings.of(model.get("lora"))
    if model.get("load_in_4bit"):
        weight_bytes = 0.53 if model.get("bnb_4bit_use_double_quant", True) else 0.56
    elif model.get("load_in_8bit"):
        weight_bytes = 1.0
    else:
        dtype = model.get("dtype", "auto")
        weight_bytes = 4.0 if dtype == "float32" or (dtype == "auto" and not cuda) else 2.0
    trainable = "lora" if lora.enabled else "full"
    if trainable == "full":
        weight_bytes = 4.0  # mixed precision keeps fp32 master weights
    steps = train.get("steps_per_generation") or train.get("gradient_accumulation_steps") or 1
    rows = train.get("generation_batch_size") or (train.get("per_device_train_batch_size") or 8) * steps
    backend = (train.get("rollout") or {}).get("backend", "auto")
    unsloth_vllm = bool(model.get("fast_inference"))
    # Under Unsloth's vLLM (fast_inference) Unsloth turns TRL's use_vllm on, so even a named engine falls
    # back to it: no inference copy.
    engine = choose(backend, cuda=cuda, unsloth_vllm=unsloth_vllm) == "fast" and not unsloth_vllm
    return MemoryPlan(
        weight_bytes=weight_bytes,
        trainable=trainable,
        lora_r=lora.r,
        generation_batch=int(rows),
        sequence_tokens=int(train.get("max_completion_length") or 256) + 512,
        beta=float(train.get("beta") or 0.0),
        inference_copy=cuda and engine,
    )
