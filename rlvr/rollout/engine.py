"""The rollout engine: batched sampling from an inference copy of the policy.

Why not the policy's own ``generate`` (TRL's default path): inside the trainer it runs in train mode
through the unmerged PEFT model (LoRA dropout on, ~7 extra kernels per adapted linear), through
accelerate's autocast wrapper, with compilation disabled and a host sync on every token. Here:

* **an inference copy** (:meth:`RolloutEngine.sync`): a plain ``from_config`` model in the rollout dtype
  (bf16 on GPU), eval mode, no autograd, no PEFT. LoRA is merged into the copy only, as
  ``W + scale·B@A`` (``get_delta_weight``), never into the trainer's weights. Weights are copied in place,
  so the compiled graphs stay valid; the trainer calls ``sync`` once per optimizer step;
* **a static KV cache** sized once per (batch, bucketed prompt length + max new tokens) and reset, not
  reallocated, between calls;
* **a compiled decode step** (``torch.compile(mode="reduce-overhead")``: CUDA graphs) on GPU, eager
  prefill; decode attention reads each KV head once (:mod:`rlvr.rollout.attention`), not a copy per
  query head; sampling with transformers' semantics (:mod:`rlvr.rollout.sampling`) on the device;
* **no per-token host sync**: finished rows are checked on the host every ``check_every`` steps.

Output matches TRL's regular path: one completion per prompt, cut after the first EOS (kept), finished
rows padded with ``pad_token_id`` in between.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from rlvr.errors import TrainingError
from rlvr.rollout.attention import register_grouped_decode
from rlvr.rollout.sampling import SamplingSettings, next_tokens
from rlvr.rollout.unpatched import patched_forwards, unpatched_class
from rlvr.rollout.weights import base_model, merged_weights

__all__ = ["RolloutEngine", "SamplingSettings", "engine_for"]

#: Prompt lengths are padded up to a multiple of this, so a few cache shapes (and compiled graphs) serve all.
PROMPT_BUCKET = 64
#: Spare KV-cache positions allocated up front, so a later call with longer prompts reuses the cache.
CACHE_HEADROOM = 256
#: With compiled decoding, batches are padded up to a multiple of this (the last eval batch, for one).
BATCH_BUCKET = 32


class RolloutEngine:
    """Generates completions for token-id prompts from an inference copy of ``policy``."""

    def __init__(
        self,
        policy: Any,
        pad_token_id: int,
        eos_token_ids: list[int],
        dtype: str = "auto",
        compile: bool | None = None,
        check_every: int = 16,
        decode_attention: str = "grouped",
    ):
        import torch

        base = base_model(policy)
        self.device = next(base.parameters()).device
        self.dtype = _rollout_dtype(dtype, self.device)
        self.pad_token_id = int(pad_token_id)
        self.eos_token_ids = [int(t) for t in eos_token_ids]
        self.check_every = max(1, int(check_every))
        self.compile = self.device.type == "cuda" if compile is None else bool(compile)
        config = copy.deepcopy(base.config)
        config.use_cache = True  # the trainer sets use_cache=False on the policy's config
        # A class another package patched (Unsloth) is rebuilt from its source: the copy must run
        # transformers' own forward (rlvr.rollout.unpatched).
        model_class = unpatched_class(type(base)) if patched_forwards(base) else None
        self.model = _inference_copy(config, self.dtype, self.device, decode_attention, model_class)
        self.model.generation_config.use_cache = True
        self._eos = torch.tensor(self.eos_token_ids, device=self.device)
        self._cache: Any = None
        self._cache_shape: tuple[int, int] | None = None
        self._decode = (
            torch.compile(self.model, mode="reduce-overhead", dynamic=False) if self.compile else self.model
        )
        self.sync(policy)

    def sync(self, policy: Any) -> None:
        """Copy the policy's current weights (LoRA merged) into the inference copy, in place."""
        import torch

        weights = merged_weights(policy)
        finite = torch.stack([torch.isfinite(w).all() for w in weights.values()])
        if not bool(finite.all()):  # one host sync per refresh, not per tensor
            names = [name for name, ok in zip(weights, finite.tolist(), strict=True) if not ok]
            raise TrainingError(
                f"rollout engine: the policy's weights are not finite ({len(names)} tensors, e.g. "
                f"{', '.join(names[:3])}): the last optimizer step applied a NaN/inf update. Sampling from "
                "them would fail; check grad_norm in metrics.jsonl for the step where it became nan."
            )
        with torch.no_grad():
            for name, param in self.model.named_parameters():
                source = weights.get(name)
                if source is None:
                    raise KeyError(f"rollout engine: the policy has no weight for {name!r}")
                param.copy_(source.to(device=param.device, dtype=param.dtype))

    def generate(
        self,
        prompt_ids: list[list[int]],
        settings: SamplingSettings,
        with_logprobs: bool = False,
        row_keys: list[int] | None = None,
    ) -> Any:
        """One completion per prompt: token ids up to and including the first EOS (or the length limit).
        With ``with_logprobs``, ``(completions, logprobs)``: each sampled token's log-probability under the
        sampling distribution (see :func:`rlvr.rollout.sampling.next_tokens`), one list per completion.
        ``row_keys`` (one int per prompt) makes each row's draws a function of its key alone
        (:func:`rlvr.rollout.sampling.keyed_noise`) instead of the global RNG's stream."""
        import torch

        if not prompt_ids:
            return ([], []) if with_logprobs else []
        rows = len(prompt_ids)
        if self.compile:  # one captured graph serves every batch up to the bucket: pad with copies
            prompt_ids = prompt_ids + [prompt_ids[0]] * (_bucket(rows, BATCH_BUCKET) - rows)
        keys = None
        if row_keys is not None:
            padded = list(row_keys) + [row_keys[0]] * (len(prompt_ids) - rows)
            keys = torch.tensor(padded, dtype=torch.int64, device=self.device)
        batch, prompt_len = len(prompt_ids), _bucket(max(len(p) for p in prompt_ids))
        cache, total = self._static_cache(batch, prompt_len + settings.max_new_tokens)
        input_ids = torch.full((batch, prompt_len), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((batch, total), dtype=torch.long)
        for row, ids in enumerate(prompt_ids):
            input_ids[row, prompt_len - len(ids) :] = torch.tensor(ids, dtype=torch.long)
            mask[row, prompt_len - len(ids) : prompt_len] = 1
        input_ids, mask = input_ids.to(self.device), mask.to(self.device)
        lengths = mask.sum(dim=1)  # real prompt tokens per row: the next position id
        positions = (mask[:, :prompt_len].cumsum(dim=1) - 1).clamp(min=0)
        out = torch.full(
            (batch, settings.max_new_tokens), self.pad_token_id, dtype=torch.long, device=self.device
        )
        finished = torch.zeros(batch, dtype=torch.bool, device=self.device)
        logprobs = torch.zeros(out.shape, device=self.device) if with_logprobs else None
        with torch.no_grad():
            logits = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=positions,
                past_key_values=cache,
                use_cache=True,
                logits_to_keep=1,
            ).logits[:, -1]
            steps = self._decode_loop(
                logits, mask, lengths, prompt_len, cache, out, finished, settings, logprobs, keys
            )
        completions = _cut_after_eos(out[:rows, :steps].cpu(), self.eos_token_ids)
        if logprobs is None:
            return completions
        table = logprobs[:rows, :steps].cpu().tolist()
        return completions, [row[: len(ids)] for row, ids in zip(table, completions, strict=True)]

    def _decode_loop(
        self,
        logits: Any,
        mask: Any,
        lengths: Any,
        prompt_len: int,
        cache: Any,
        out: Any,
        finished: Any,
        settings: SamplingSettings,
        logprobs: Any = None,
        keys: Any = None,
    ) -> int:
        """Sample token by token into ``out`` (and each token's log-prob into ``logprobs`` when given;
        keyed draws with ``keys``); returns the number of steps taken."""
        import torch

        for step in range(settings.max_new_tokens):
            if logprobs is None:
                token = next_tokens(logits, settings, keys=keys, step=step)
            else:
                token, logprobs[:, step] = next_tokens(
                    logits, settings, with_logprobs=True, keys=keys, step=step
                )
            token = torch.where(finished, self.pad_token_id, token)
            out[:, step] = token
            finished |= torch.isin(token, self._eos)
            if step + 1 == settings.max_new_tokens:
                return step + 1
            if (step + 1) % self.check_every == 0 and bool(finished.all()):
                return step + 1
            mask[:, prompt_len + step] = 1
            if self.compile:
                torch.compiler.cudagraph_mark_step_begin()
            logits = self._decode(
                input_ids=token[:, None],
                attention_mask=mask,
                position_ids=(lengths + step)[:, None],
                past_key_values=cache,
                use_cache=True,
            ).logits[:, -1]
        return settings.max_new_tokens

    def _static_cache(self, batch: int, needed: int) -> tuple[Any, int]:
        """(cache, its length): the last call's cache, reset, whenever it has this batch size and room for
        ``needed`` positions. Prompts of another length then change only tensor values (mask, positions),
        never a shape, so the compiled decode step is captured once per batch size, not once per call."""
        from transformers import StaticCache

        if self._cache_shape is None or self._cache_shape[0] != batch or self._cache_shape[1] < needed:
            length = _bucket(needed + CACHE_HEADROOM, CACHE_HEADROOM)  # later, longer prompts still fit
            self._cache = StaticCache(config=self.model.config, max_cache_len=length)
            self._cache_shape = (batch, length)
        else:
            self._cache.reset()
        return self._cache, self._cache_shape[1]


def _inference_copy(
    config: Any, dtype: Any, device: Any, decode_attention: str = "grouped", model_class: Any = None
) -> Any:
    """A model of ``config``'s shape on ``device`` (of ``model_class``, else the class transformers maps
    ``config`` to), in eval mode without autograd, with the decode-step attention of
    :mod:`rlvr.rollout.attention` unless ``decode_attention="sdpa"``. Its random init runs under a forked
    RNG: building the copy must not change the sampling stream of the run (same seed, same rollouts,
    whichever backend)."""
    import torch
    from transformers import AutoModelForCausalLM

    extra = {"attn_implementation": register_grouped_decode()} if decode_attention == "grouped" else {}
    build = model_class._from_config if model_class is not None else AutoModelForCausalLM.from_config
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []), torch.device(device):
        model = build(config, dtype=dtype, **extra)
    return model.eval().requires_grad_(False)


def _rollout_dtype(name: str, device: Any) -> Any:
    import torch

    if name == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, name)


def _bucket(length: int, size: int = PROMPT_BUCKET) -> int:
    return -(-length // size) * size


def _cut_after_eos(tokens: Any, eos_token_ids: list[int]) -> list[list[int]]:
    """Each row up to and including its first EOS, as TRL's regular generation path returns it."""
    rows = []
    for row in tokens.tolist():
        end = next((i for i, t in enumerate(row) if t in eos_token_ids), len(row) - 1)
        rows.append(row[: end + 1])
    return rows


_ENGINES: weakref.WeakKeyDictionary[Any, RolloutEngine] = weakref.WeakKeyDictionary()


def engine_for(policy: Any, pad_token_id: int, eos_token_ids: list[int], **options: Any) -> RolloutEngine:
    """The engine of ``policy``: one inference copy (and one set of compiled graphs) per policy, shared
    by training and evaluation. A new engine starts synced; callers sync an existing one when the
    policy may have changed. ``options`` apply when the engine is created."""
    engine = _ENGINES.get(policy)
    if engine is None:
        engine = _ENGINES[policy] = RolloutEngine(policy, pad_token_id, eos_token_ids, **options)
    return engine
