"""Wiring of the six components into a run. ``run_pipeline.py`` calls :func:`run` after validation.

The train mode: build prompt, data, model, reward, evaluation and observer components from their
nodes → build ``trl.GRPOTrainer`` → evaluate before training → train → evaluate after → save the
final model (the LoRA adapter when LoRA is on) → write the eval report → close the observer.
Everything lands in the run directory (Hydra's output dir).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.data.base import DataSplits
from rlvr.interfaces import DataComponent, Evaluator, ModelComponent, Observer, RewardComponent, TrainingLoop
from rlvr.models.hf import LoadedModel
from rlvr.observers.callback import observer_callback
from rlvr.rewards.roles import correctness_judge


def write_resolved_config(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Write ``resolved_config.yaml`` (interpolations resolved) and return it as a plain dict."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "resolved_config.yaml").write_text(OmegaConf.to_yaml(cfg, resolve=True))
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row) + "\n")


@dataclass
class Components:
    """The built components of a run (the trainer comes later: it needs the model and the data)."""

    prompt: Any
    data: DataSplits
    loaded: LoadedModel
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
    loaded = model_component.load(tokenizer)
    return Components(
        prompt, data, loaded, build(cfg.reward), build(cfg.eval), build(cfg.observer), build(cfg.train)
    )


def run_train(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Train with GRPO and return the eval report (also written to ``eval_report.json``)."""
    config = write_resolved_config(cfg, run_dir)
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    c = build_components(cfg)
    c.observer.start(run_dir, config)
    c.observer.log_metrics({"data": c.data.info}, step=0, kind="data")
    report: dict[str, Any] = {
        "data": c.data.info,
        "reward_functions": dict(zip(c.rewards.names, c.rewards.weights, strict=True)),
    }
    try:
        trainer = c.loop.build_trainer(
            c.loaded.model,
            c.loaded.tokenizer,
            c.data.train,
            c.rewards.functions,
            c.rewards.weights,
            output_dir=run_dir / "checkpoints",
            peft_config=c.loaded.peft_config,
            callbacks=[observer_callback(c.observer)],
        )
        _warn_without_eval_rows(c, report)
        if c.evaluator.before_training:
            _evaluate(c, trainer, "before", run_dir, report)
        output = trainer.train()
        report["reward_errors"] = c.rewards.error_counts
        report["train"] = {
            "global_step": trainer.state.global_step,
            "training_loss": output.training_loss,
            "runtime_s": output.metrics.get("train_runtime"),
        }
        if c.evaluator.after_training:
            _evaluate(c, trainer, "after", run_dir, report)
        report["final_model"] = str(run_dir / "final_model")
        trainer.save_model(report["final_model"])
        c.loaded.tokenizer.save_pretrained(report["final_model"])
        (run_dir / "eval_report.json").write_text(json.dumps(report, indent=2))
        return report
    finally:
        c.observer.finish(
            {f"eval/{t}/accuracy": report[t]["accuracy"] for t in ("before", "after") if t in report}
        )


def _evaluate(c: Components, trainer: Any, tag: str, run_dir: Path, report: dict[str, Any]) -> None:
    """Evaluate the current policy; per-sample rows go to ``eval_samples_<tag>.jsonl``, the summary to
    the report and the observer."""
    if c.data.eval is None:
        return
    result = c.evaluator.evaluate(
        trainer.model, c.loaded.tokenizer, c.data.eval, tag, correctness_judge(c.rewards)
    )
    _write_jsonl(run_dir / f"eval_samples_{tag}.jsonl", result.pop("samples"))
    report[tag] = result
    c.observer.log_eval(result, step=trainer.state.global_step)


def _warn_without_eval_rows(c: Components, report: dict[str, Any]) -> None:
    if c.data.eval is None and (c.evaluator.before_training or c.evaluator.after_training):
        report["warnings"] = [
            "no eval rows, so no accuracy is reported: set data.eval_path, data.eval_split "
            "or data.eval_holdout"
        ]
        print(f"rlvr: warning: {report['warnings'][0]}", file=sys.stderr)


def _run_check(cfg: DictConfig, run_dir: Path) -> Any:
    from rlvr.checking import run_check

    return run_check(cfg, run_dir)


def _run_score(cfg: DictConfig, run_dir: Path) -> Any:
    from rlvr.scoring import run_score

    write_resolved_config(cfg, run_dir)
    return run_score(cfg, run_dir)


#: Modes of ``run_pipeline.py`` (``mode=...``); later modes (eval, compare) register here.
MODES: dict[str, Callable[[DictConfig, Path], Any]] = {
    "train": run_train,
    "check": _run_check,
    "score": _run_score,
}


def run(cfg: DictConfig, run_dir: Path) -> Any:
    """Dispatch to the configured mode."""
    return MODES[cfg.get("mode", "train")](cfg, run_dir)
