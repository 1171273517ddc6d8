"""The training-loop component: the ``train`` node *is* ``trl.GRPOConfig``.

Every key of ``train`` (except ``_target_``) is passed to ``GRPOConfig`` under its own name, so any of
its ~190 fields is reachable as ``train.<field>=...``; an unknown key is a validation error that
suggests the closest field. Three fields are filled by the orchestrator instead of the user:
``output_dir`` (defaults into the run dir), ``reward_weights`` (from the reward component) and
``report_to`` (the observer component does the reporting).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlvr.config.errors import ConfigIssue, unknown_key_issue
from rlvr.config.grpo_fields import grpo_config_defaults, grpo_config_fields
from rlvr.config.grpo_values import train_value_issues
from rlvr.training.rollout_settings import DEFAULT_ROLLOUT, engine_options, resolve_backend, rollout_issues
from rlvr.training.rollout_trainer import rollout_trainer_class

# The fields GRPO's batch arithmetic reads. Those the YAML leaves out take TRL's defaults, read from
# its source (rlvr.config.grpo_fields), so they cannot drift from the installed trl.
_BATCH_FIELDS = (
    "num_generations",
    "per_device_train_batch_size",
    "gradient_accumulation_steps",
    "steps_per_generation",
    "generation_batch_size",
)


class GRPOTrainingLoop:
    """Holds GRPOConfig arguments; builds a ``trl.GRPOTrainer`` once the other components exist."""

    def __init__(self, rollout: dict[str, Any] | None = None, **grpo_args: Any):
        self.rollout = {**DEFAULT_ROLLOUT, **(rollout or {})}
        self.grpo_args = grpo_args

    def grpo_config(self, output_dir: Path, reward_weights: list[float]) -> Any:
        from trl import GRPOConfig

        args = {"report_to": "none", **self.grpo_args, "reward_weights": reward_weights}
        args["output_dir"] = str(args.get("output_dir") or output_dir)
        if resolve_backend(self.rollout["backend"]) == "vllm":
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
    ) -> Any:
        from trl import GRPOTrainer

        trainer_class = GRPOTrainer
        if resolve_backend(self.rollout["backend"]) == "fast":
            trainer_class = rollout_trainer_class(engine_options(self.rollout))
        return trainer_class(
            model=model,
            reward_funcs=reward_functions,
            args=self.grpo_config(output_dir, reward_weights),
            train_dataset=train_dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=callbacks or [],
        )

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """Unknown fields (with the closest one), values TRL would reject only after the model has loaded
        (types, choices, ranges: :mod:`rlvr.config.grpo_values`) and GRPO's batch arithmetic."""
        issues = rollout_issues(f"{prefix}.rollout", kwargs.get("rollout"))
        kwargs = {key: value for key, value in kwargs.items() if key != "rollout"}  # ours, not GRPOConfig's
        fields = grpo_config_fields()
        issues += [
            unknown_key_issue(prefix, key, value, fields, "trl.GRPOConfig")
            for key, value in kwargs.items()
            if key not in fields
        ]
        if kwargs.get("reward_weights") is not None:
            issues.append(
                ConfigIssue(
                    f"{prefix}.reward_weights",
                    kwargs["reward_weights"],
                    "reward weights come from the reward component",
                    "set reward.reward_functions[i].weight (or reward.weights) instead",
                )
            )
        issues += train_value_issues(prefix, {k: v for k, v in kwargs.items() if k != "reward_weights"})
        if {f"{prefix}.{name}" for name in _BATCH_FIELDS} & {issue.key for issue in issues}:
            return issues  # the arithmetic below needs well-typed values
        value = {**grpo_config_defaults(), **kwargs}
        if not isinstance(value["num_generations"], int) or value["num_generations"] < 2:
            issues.append(
                ConfigIssue(
                    f"{prefix}.num_generations",
                    value["num_generations"],
                    "GRPO compares completions within a group, so it needs at least 2",
                    f"set {prefix}.num_generations=2 or more (8 is common)",
                )
            )
            return issues
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
