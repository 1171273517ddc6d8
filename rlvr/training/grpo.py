"""The training-loop component: the ``train`` node *is* ``trl.GRPOConfig``.

Every key of ``train`` (except ``_target_``) is passed to ``GRPOConfig`` under its own name, so any of
its ~190 fields is reachable as ``train.<field>=...``; an unknown key is a validation error that
suggests the closest field. Three fields are filled by the orchestrator instead of the user:
``output_dir`` (defaults into the run dir), ``reward_weights`` (from the reward component) and
``report_to`` (the observer component does the reporting).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from rlvr.config.errors import ConfigIssue, unknown_key_issue
from rlvr.config.grpo_fields import grpo_config_defaults, grpo_config_fields
from rlvr.config.grpo_values import train_value_issues
from rlvr.console import say
from rlvr.errors import ConfigError
from rlvr.interfaces import TrainResult
from rlvr.rollout.choice import deprecated, resolve_backend
from rlvr.rollout.settings import RolloutSettings
from rlvr.training.gpu_memory import gpu_memory_callback
from rlvr.training.interrupts import GracefulStop
from rlvr.training.nan_guard import nan_guard_callback
from rlvr.training.resume import check_fits, checkpoint_step, resolve_checkpoint, resume_issues
from rlvr.training.rollout_trainer import rollout_trainer_class
from rlvr.training.step_settings import DynamicSampling, MicroBatchTokens, Packing, step_issues
from rlvr.training.trainer_class import compose_trainer_class, resolve_checkpointing, resolve_packing

#: Keys of the ``train`` node that are rlvr's own, not ``GRPOConfig`` fields.
OWN_KEYS = ("rollout", "nan_guard", "packing", "micro_batch_tokens", "dynamic_sampling")

# The fields GRPO's batch arithmetic reads. Those the YAML leaves out take TRL's defaults, read from
# its source (rlvr.config.grpo_fields), so they cannot drift from the installed trl.
_BATCH_FIELDS = (
    "num_generations",
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "steps_per_generation",
    "generation_batch_size",
)


#: GRPOConfig fields rlvr refuses in ``train``: (why, what to do instead).
REFUSED = {
    "hub_token": (  # transformers pickles its arguments into every checkpoint and model dir
        "a token in the config would be written into checkpoints and final_model/training_args.bin",
        "remove it and set the HF_TOKEN environment variable instead",
    ),
    "reward_weights": (
        "reward weights come from the reward component",
        "set reward.reward_functions[i].weight (or reward.weights) instead",
    ),
}


class GRPOTrainingLoop:
    """Holds GRPOConfig arguments; builds a ``trl.GRPOTrainer`` once the other components exist."""

    def __init__(
        self,
        rollout: RolloutSettings | None = None,
        nan_guard: Literal["skip", "stop", "off"] = "skip",
        packing: Packing = "auto",
        micro_batch_tokens: MicroBatchTokens = None,
        dynamic_sampling: DynamicSampling | None = None,
        **grpo_args: Any,
    ):
        if isinstance(rollout, dict) and "backend" in rollout:  # an old spelling: say the new one, once
            deprecated("train.rollout.backend", rollout["backend"])
        self.rollout = RolloutSettings.of(rollout)
        self.nan_guard = nan_guard
        self.packing = packing
        self.micro_batch_tokens = micro_batch_tokens
        self.dynamic_sampling = DynamicSampling.of(dynamic_sampling)
        self.grpo_args = grpo_args
        # On this machine, so a bf16 run without a bf16 GPU stops before the model is loaded.
        grpo_args["bf16"] = resolve_bf16(
            grpo_args.get("bf16"), bool(grpo_args.get("fp16")), bool(grpo_args.get("use_cpu"))
        )

    def grpo_config(self, output_dir: Path, reward_weights: list[float]) -> Any:
        from trl import GRPOConfig

        args = {"report_to": "none", **self.grpo_args, "reward_weights": reward_weights}
        args["output_dir"] = str(args.get("output_dir") or output_dir)
        if resolve_backend(self.rollout.backend) == "vllm":
            args.setdefault("use_vllm", True)
            args.setdefault("vllm_mode", "colocate")  # one GPU: vLLM shares it with training
        return GRPOConfig(**args)

    def build_trainer(
        self,
        model: Any,
        tokenizer: Any,
        train_dataset: Any,
        reward_functions: list[Any],
        reward_weights: list[float],
        output_dir: Path,
        peft_config: Any | None = None,
        callbacks: list[Any] | None = None,
        prompt_tokens: int | None = None,
    ) -> Any:
        """The trainer: TRL's ``GRPOTrainer`` (or the fast-rollout subclass) with rlvr's training-step
        mixins. ``prompt_tokens`` (the longest training prompt, from the data report) sizes the
        activation estimate behind ``gradient_checkpointing=auto``."""
        from trl import GRPOTrainer

        base = GRPOTrainer
        if resolve_backend(self.rollout.backend, model) == "fast":
            base = rollout_trainer_class(self.rollout.engine_options(), self.rollout.logprob_gap_every)
        packing = resolve_packing(self.packing, model)
        self.grpo_args["gradient_checkpointing"] = resolve_checkpointing(
            self.grpo_args.get("gradient_checkpointing", True),
            model,
            self.grpo_args,
            self.micro_batch_tokens,
            prompt_tokens,
        )
        trainer_class = compose_trainer_class(base, packing, self.micro_batch_tokens, self.dynamic_sampling)
        trainer = trainer_class(
            model=model,
            reward_funcs=reward_functions,
            args=self.grpo_config(output_dir, reward_weights),
            train_dataset=train_dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=[
                c
                for c in (nan_guard_callback(self.nan_guard), gpu_memory_callback(), *(callbacks or []))
                if c is not None
            ],
        )
        self._check_dynamic_reward(trainer)
        return trainer

    def _check_dynamic_reward(self, trainer: Any) -> None:
        name = self.dynamic_sampling.reward
        if self.dynamic_sampling.enabled and name is not None and name not in trainer.reward_func_names:
            raise ConfigError(
                f"train.dynamic_sampling.reward={name!r} names no reward function; the run's rewards are "
                f"{', '.join(trainer.reward_func_names)}. Fix: one of those, or null for the weighted total"
            )

    def train(self, trainer: Any) -> TrainResult:
        """``trainer.train()``, resumed from ``train.resume_from_checkpoint`` (``auto`` = the newest
        complete checkpoint) and stopping cleanly on SIGINT/SIGTERM; returns what happened (the signal,
        the checkpoint resumed from, or that the checkpoint was already at ``max_steps``)."""
        checkpoint = resolve_checkpoint(
            self.grpo_args.get("resume_from_checkpoint"), Path(trainer.args.output_dir)
        )
        resumed_from = str(checkpoint) if checkpoint else None
        if checkpoint is not None and 0 < trainer.args.max_steps <= checkpoint_step(checkpoint):
            say(
                f"{checkpoint} is at step {checkpoint_step(checkpoint)} of {trainer.args.max_steps}: already finished"
            )
            return TrainResult(checkpoint_step(checkpoint), resumed_from=resumed_from, already_finished=True)
        if checkpoint is not None:
            check_fits(checkpoint, trainer.model)
            say(f"resuming from {checkpoint} (step {checkpoint_step(checkpoint)})")
        with GracefulStop() as stop:
            trainer.add_callback(stop.callback())
            output = trainer.train(resume_from_checkpoint=resumed_from)
        return TrainResult(
            trainer.state.global_step,
            output.training_loss,
            output.metrics.get("train_runtime"),
            resumed_from,
            stop.signal,
        )

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """Unknown fields (with the closest one), values TRL would reject only after the model has loaded
        (types, choices, ranges: :mod:`rlvr.config.grpo_values`) and GRPO's batch arithmetic."""
        issues = step_issues(prefix, kwargs)
        issues += resume_issues(f"{prefix}.resume_from_checkpoint", kwargs.get("resume_from_checkpoint"))
        kwargs = {  # ours, not GRPOConfig's (gradient_checkpointing=auto is resolved when the model exists)
            key: value
            for key, value in kwargs.items()
            if key not in OWN_KEYS and not (key == "gradient_checkpointing" and value == "auto")
        }
        fields = grpo_config_fields()
        issues += [
            unknown_key_issue(prefix, key, value, fields, "trl.GRPOConfig")
            for key, value in kwargs.items()
            if key not in fields
        ]
        issues += [
            ConfigIssue(f"{prefix}.{key}", "***" if key == "hub_token" else kwargs[key], rule, fix)
            for key, (rule, fix) in REFUSED.items()
            if kwargs.get(key) not in (None, "")
        ]
        issues += train_value_issues(prefix, {k: v for k, v in kwargs.items() if k not in REFUSED})
        if {f"{prefix}.{name}" for name in _BATCH_FIELDS} & {issue.key for issue in issues}:
            return issues  # the arithmetic below needs well-typed values
        value = {**grpo_config_defaults(), **kwargs}
        steps = value.get("steps_per_generation") or value["gradient_accumulation_steps"]
        batch = value.get("generation_batch_size") or value["per_device_train_batch_size"] * steps
        if batch % value["num_generations"]:
            issues.append(
                ConfigIssue(
                    f"{prefix}.num_generations",
                    value["num_generations"],
                    f"the generation batch ({batch} = per_device_train_batch_size x steps_per_generation, per "
                    "process) must be a multiple of num_generations",
                    f"make {prefix}.per_device_train_batch_size (or steps_per_generation) a multiple of "
                    f"{value['num_generations']}, or change {prefix}.num_generations",
                )
            )
        return issues


def resolve_bf16(bf16: bool | None, fp16: bool, use_cpu: bool) -> bool:
    """``train.bf16``: null (the default) is on where a GPU supports bfloat16 and off elsewhere, so the
    default config also runs on a CPU (in float32). TRL reads null as "on" and transformers then stops
    with "Your setup doesn't support bf16/gpu" after the model load; an explicit ``true`` without such a
    GPU (and without ``train.use_cpu=true``, CPU autocast) is a ConfigError naming both fixes."""
    import torch

    gpu_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if bf16 is None:
        return gpu_bf16 and not fp16 and not use_cpu
    if bf16 and not gpu_bf16 and not use_cpu:
        raise ConfigError(
            "train.bf16=true needs a GPU with bfloat16 support, and this machine has none. Fix: "
            "train.bf16=null (bf16 where supported, float32 elsewhere), train.bf16=false, or "
            "train.use_cpu=true for bfloat16 autocast on the CPU"
        )
    return bool(bf16)
