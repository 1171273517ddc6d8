"""``GRPOTrainer`` with the fast rollout engine plugged into TRL's own generation hook.

Only ``_generate_single_turn`` is overridden (same signature in trl 1.15 and 1.16): TRL still tokenizes
the prompts, computes log-probs, rewards, advantages and the loss. Cases the engine does not cover go to
TRL's own path unchanged, with the reason printed once: vLLM or continuous batching, vision inputs,
DeepSpeed ZeRO-3 / FSDP (sharded weights), ``generation_kwargs`` and ``repetition_penalty``.

Semantics versus TRL's regular path: same prompts, sampling parameters, EOS handling, lengths and masks;
the one difference is that rollouts are sampled from the policy without LoRA dropout (as TRL's vLLM path
does), because the inference copy has the adapter merged.
"""

from __future__ import annotations

from typing import Any

from rlvr.console import warn
from rlvr.rollout import RolloutEngine, SamplingSettings, engine_for


def rollout_trainer_class(options: dict[str, Any]) -> type:
    """A ``GRPOTrainer`` subclass whose rollouts run on :class:`RolloutEngine` built with ``options``."""
    from trl import GRPOTrainer

    class FastRolloutGRPOTrainer(GRPOTrainer):
        _rollout_options = dict(options)

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
            return engine.generate(prompt_ids, settings), None

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
