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
from rlvr.config.grpo_fields import grpo_config_fields

# TRL's own defaults for the fields our rules read, used when the YAML leaves them out.
_TRL_DEFAULTS = {"num_generations": 8, "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1}


class GRPOTrainingLoop:
    """Holds GRPOConfig arguments; builds a ``trl.GRPOTrainer`` once the other components exist."""

    def __init__(self, **grpo_args: Any):
        self.grpo_args = grpo_args

    def grpo_config(self, output_dir: Path, reward_weights: list[float]) -> Any:
        from trl import GRPOConfig

        args = {"report_to": "none", **self.grpo_args, "reward_weights": reward_weights}
        args["output_dir"] = str(args.get("output_dir") or output_dir)
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

        return GRPOTrainer(
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
        fields = grpo_config_fields()
        issues = [
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
        value = {k: kwargs.get(k, default) for k, default in _TRL_DEFAULTS.items()}
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
        steps = kwargs.get("steps_per_generation") or value["gradient_accumulation_steps"]
        batch = kwargs.get("generation_batch_size") or value["per_device_train_batch_size"] * steps
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
