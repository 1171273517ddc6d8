"""``GRPOTrainer`` with the fast rollout engine plugged into TRL's own generation hook.

Only ``_generate_single_turn`` is overridden (same signature in trl 1.15 and 1.16): TRL still tokenizes
the prompts, computes log-probs, rewards, advantages and the loss. Cases the engine does not cover go to
TRL's own path unchanged, with the reason printed once: vLLM or continuous batching, vision inputs,
DeepSpeed ZeRO-3 / FSDP (sharded weights), ``generation_kwargs`` and ``repetition_penalty``.

Semantics versus TRL's regular path: same prompts, sampling parameters, EOS handling, lengths and masks;
the one difference is that rollouts are sampled from the policy without LoRA dropout (as TRL's vLLM path
does), because the inference copy has the adapter merged.

How far the sampler is from the trainer (the bf16 inference copy, no dropout, vs TRL's training forward) is
measured every ``train.rollout.logprob_gap_every`` optimizer steps on a few rows: the trainer's log-probs
of the sampled tokens against the sampler's, logged as ``rollout/logprob_gap/mean`` and ``/max`` (|Δ| per
token, nats), the quantity TRL logs for vLLM as ``sampling/sampling_logp_difference``.
"""

from __future__ import annotations

from typing import Any

from rlvr.console import warn
from rlvr.rollout import RolloutEngine, SamplingSettings, engine_for

#: Rows of a generation batch the log-prob gap is measured on (one small no-grad forward).
GAP_ROWS = 16


def rollout_trainer_class(options: dict[str, Any], logprob_gap_every: int = 0) -> type:
    """A ``GRPOTrainer`` subclass whose rollouts run on :class:`RolloutEngine` built with ``options``;
    every ``logprob_gap_every`` optimizer steps (0 = never) it logs the sampler-vs-trainer log-prob gap."""
    from trl import GRPOTrainer

    class FastRolloutGRPOTrainer(GRPOTrainer):
        _rollout_options = dict(options)
        _gap_every = int(logprob_gap_every)

        def _generate_single_turn(
            self, prompt_ids, images, multimodal_fields, num_generations, has_tool_images=False
        ):
            reason = self._engine_unsupported(images, multimodal_fields)
            if reason:
                if not getattr(self, "_rollout_fallback_said", False):
                    warn(f"rollout backend 'fast' falls back to TRL's generation: {reason}")
                    self._rollout_fallback_said = True
                return super()._generate_single_turn(
                    prompt_ids, images, multimodal_fields, num_generations, has_tool_images
                )
            engine = self.rollout_engine()
            settings = SamplingSettings(
                max_new_tokens=self.max_completion_length,
                do_sample=True,
                temperature=self.temperature,
                top_k=self.top_k,
                top_p=self.top_p,
                min_p=self.min_p,
            )
            if not self._gap_due():
                return engine.generate(prompt_ids, settings), None
            completions, sampled = engine.generate(prompt_ids, settings, with_logprobs=True)
            self._gap_step = self.state.global_step
            gap = logprob_gap(self, prompt_ids, completions, sampled)
            if isinstance(gap, str):  # the trainer's scoring gives no per-token log-probs: stop asking
                warn(f"rollout/logprob_gap is not logged: {gap}")
                self._gap_every = 0
            elif gap is not None:
                self._metrics["train"]["rollout/logprob_gap/mean"].append(gap[0])
                self._metrics["train"]["rollout/logprob_gap/max"].append(gap[1])
            return completions, None

        def _gap_due(self) -> bool:
            step = self.state.global_step
            return (
                bool(self._gap_every)
                and step % self._gap_every == 0
                and getattr(self, "_gap_step", -1) != step
            )

        def rollout_engine(self) -> RolloutEngine:
            """The engine, its weights synced once per optimizer step (the cadence of TRL's vLLM sync)."""
            policy = self.accelerator.unwrap_model(self.model)
            engine = getattr(self, "_rollout_engine", None)
            if engine is None:  # shared with the evaluator through engine_for: one copy, one compile
                engine = self._rollout_engine = engine_for(
                    policy, self._tokenizer.pad_token_id, self.eos_token_ids, **self._rollout_options
                )
                engine.sync(policy)
                self._rollout_engine_step = self.state.global_step
            elif self._rollout_engine_step != self.state.global_step:
                engine.sync(policy)
                self._rollout_engine_step = self.state.global_step
            return engine

        def _engine_unsupported(self, images: Any, multimodal_fields: Any) -> str | None:
            if self.use_vllm or self.use_transformers_continuous_batching:
                return "vLLM or continuous batching is configured"
            if images is not None or multimodal_fields:
                return "vision inputs"
            if self.is_deepspeed_enabled or self.is_fsdp_enabled:
                return "sharded weights (DeepSpeed / FSDP)"
            if self.args.generation_kwargs:
                return f"train.generation_kwargs={self.args.generation_kwargs} (not supported by the engine)"
            if self.repetition_penalty != 1.0:
                return f"train.repetition_penalty={self.repetition_penalty} (not supported by the engine)"
            return None

    return FastRolloutGRPOTrainer


def logprob_gap(
    trainer: Any, prompt_ids: list[list[int]], completions: list[list[int]], sampled: list[list[float]]
) -> tuple[float, float] | str | None:
    """Mean and max |trainer log-prob − sampler log-prob| over the tokens of the first :data:`GAP_ROWS`
    non-empty completions. The trainer's side is TRL's own ``_get_per_token_logps_and_entropies`` on the
    policy as it trains (train mode, autocast), so the figure is the mismatch the loss actually sees.

    None when no completion has a token; a message (str) when that function does not return one
    log-prob per completion token — Unsloth's GRPO trainer on a GPU returns hidden states there and
    scores them inside its fused loss, so there is nothing to compare with."""
    import torch
    from trl.models.utils import disable_gradient_checkpointing

    rows = [i for i, ids in enumerate(completions) if ids][:GAP_ROWS]
    if not rows:
        return None
    pad = trainer.processing_class.pad_token_id if hasattr(trainer.processing_class, "pad_token_id") else 0
    pad = 0 if pad is None else int(pad)
    prompt_len = max(len(prompt_ids[i]) for i in rows)
    completion_len = max(len(completions[i]) for i in rows)
    ids = torch.full((len(rows), prompt_len + completion_len), pad, dtype=torch.long)
    mask = torch.zeros_like(ids)
    reference = torch.zeros((len(rows), completion_len))
    scored = torch.zeros((len(rows), completion_len), dtype=torch.bool)
    for n, i in enumerate(rows):
        prompt, completion = prompt_ids[i], completions[i]
        ids[n, prompt_len - len(prompt) : prompt_len] = torch.tensor(prompt)
        ids[n, prompt_len : prompt_len + len(completion)] = torch.tensor(completion)
        mask[n, prompt_len - len(prompt) : prompt_len + len(completion)] = 1
        reference[n, : len(completion)] = torch.tensor(sampled[i])
        scored[n, : len(completion)] = True
    device = trainer.accelerator.device
    # Forked RNG: dropout in this extra forward must not shift the run's random stream (same seed, same run).
    with (
        torch.random.fork_rng(devices=[device] if device.type == "cuda" else []),
        torch.no_grad(),
        disable_gradient_checkpointing(trainer.model, trainer.args.gradient_checkpointing_kwargs),
    ):
        logps, _, _ = trainer._get_per_token_logps_and_entropies(
            trainer.model, ids.to(device), mask.to(device), completion_len, batch_size=len(rows)
        )
    if not isinstance(logps, torch.Tensor) or tuple(logps.shape) != tuple(reference.shape):
        shape = tuple(logps.shape) if isinstance(logps, torch.Tensor) else type(logps).__name__
        return (
            f"{type(trainer).__name__}._get_per_token_logps_and_entropies returned {shape}, not one "
            f"log-prob per completion token {tuple(reference.shape)} (Unsloth's GRPO trainer returns "
            "hidden states there); set train.rollout.logprob_gap_every=0 to skip the measurement"
        )
    delta = (logps.float().cpu() - reference).abs()[scored]
    return float(delta.mean()), float(delta.max())
