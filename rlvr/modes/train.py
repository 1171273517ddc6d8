"""``mode=train`` (the default): GRPO training with evaluation before and after.

    python run_pipeline.py experiment=smoke

Build prompt, data, model, reward, evaluation and observer components from their nodes → build
``trl.GRPOTrainer`` → evaluate before training → train → evaluate after → save the final model (the
LoRA adapter when LoRA is on) → write the eval report → close the observer. Every file goes through
:class:`rlvr.run_dir.RunDir`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig

from rlvr.config import build
from rlvr.console import warn
from rlvr.interfaces import (
    DataComponent,
    DataSplits,
    Evaluator,
    LoadedModel,
    ModelComponent,
    Observer,
    RewardComponent,
    TrainingLoop,
)
from rlvr.observers.callback import observer_callback
from rlvr.run_dir import RunDir

NO_EVAL_ROWS = (
    "no eval rows, so no accuracy is reported: set data.eval_path, data.eval_split or data.eval_holdout"
)


@dataclass
class Components:
    """The built components of a run (the trainer comes later: it needs the model and the data)."""

    data: DataSplits
    policy: LoadedModel
    rewards: RewardComponent
    evaluator: Evaluator
    observer: Observer
    loop: TrainingLoop


def build_components(cfg: DictConfig) -> Components:
    """Build every component from its node; the tokenizer comes first so data can count prompt tokens."""
    prompt = build(cfg.prompts)
    model_component: ModelComponent = build(cfg.model)
    tokenizer = model_component.load_tokenizer()
    data_component: DataComponent = build(cfg.data)
    data = data_component.load(prompt, tokenizer)
    policy = model_component.load(tokenizer)
    return Components(data, policy, build(cfg.reward), build(cfg.eval), build(cfg.observer), build(cfg.train))


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Train with GRPO and return the eval report (also written to ``eval_report.json``)."""
    config = run_dir.write_config(cfg)
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    parts = build_components(cfg)
    parts.observer.start(run_dir, config)
    parts.observer.log_metrics({"data": parts.data.info}, step=0, kind="data")
    report: dict[str, Any] = {
        "data": parts.data.info,
        "reward_functions": dict(zip(parts.rewards.names, parts.rewards.weights, strict=True)),
    }
    try:
        trainer = parts.loop.build_trainer(
            parts.policy.model,
            parts.policy.tokenizer,
            parts.data.train,
            parts.rewards.functions,
            parts.rewards.weights,
            output_dir=run_dir.file("checkpoints"),
            peft_config=parts.policy.peft_config,
            callbacks=[observer_callback(parts.observer)],
        )
        _warn_without_eval_rows(parts, report)
        if parts.evaluator.before_training:
            _evaluate(parts, trainer, "before", run_dir, report)
        output = trainer.train()
        report["reward_errors"] = parts.rewards.error_counts
        report["train"] = {
            "global_step": trainer.state.global_step,
            "training_loss": output.training_loss,
            "runtime_s": output.metrics.get("train_runtime"),
        }
        if parts.evaluator.after_training:
            _evaluate(parts, trainer, "after", run_dir, report)
        report["final_model"] = str(run_dir.file("final_model"))
        trainer.save_model(report["final_model"])
        parts.policy.tokenizer.save_pretrained(report["final_model"])
        run_dir.write_json("eval_report.json", report)
        return report
    finally:
        parts.observer.finish(
            {f"eval/{t}/accuracy": report[t]["accuracy"] for t in ("before", "after") if t in report}
        )


def _evaluate(parts: Components, trainer: Any, tag: str, run_dir: RunDir, report: dict[str, Any]) -> None:
    """Evaluate the current policy; per-sample rows go to ``eval_samples_<tag>.jsonl``, the summary to
    the report and the observer."""
    if parts.data.eval is None:
        return
    result = parts.evaluator.evaluate(
        trainer.model, parts.policy.tokenizer, parts.data.eval, tag, parts.rewards.judge()
    )
    run_dir.write_jsonl(f"eval_samples_{tag}.jsonl", result.pop("samples"))
    report[tag] = result
    parts.observer.log_eval(result, step=trainer.state.global_step)


def _warn_without_eval_rows(parts: Components, report: dict[str, Any]) -> None:
    if parts.data.eval is None and (parts.evaluator.before_training or parts.evaluator.after_training):
        report["warnings"] = [NO_EVAL_ROWS]
        warn(NO_EVAL_ROWS)
