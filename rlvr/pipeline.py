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
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.interfaces import DataComponent, Evaluator, ModelComponent, Observer, RewardComponent, TrainingLoop
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


def run_train(cfg: DictConfig, run_dir: Path) -> dict[str, Any]:
    """Train with GRPO and return the eval report (also written to ``eval_report.json``)."""
    config = write_resolved_config(cfg, run_dir)
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    prompt = build(cfg.prompts)
    model_component: ModelComponent = build(cfg.model)
    tokenizer = model_component.load_tokenizer()
    data_component: DataComponent = build(cfg.data)
    data = data_component.load(prompt, tokenizer)
    loaded = model_component.load(tokenizer)
    rewards: RewardComponent = build(cfg.reward)
    evaluator: Evaluator = build(cfg.eval)
    observer: Observer = build(cfg.observer)
    loop: TrainingLoop = build(cfg.train)
    observer.start(run_dir, config)
    observer.log_metrics({"data": data.info}, step=0, kind="data")
    report: dict[str, Any] = {
        "data": data.info,
        "reward_functions": dict(zip(rewards.names, rewards.weights, strict=True)),
    }
    try:
        trainer = loop.build_trainer(
            loaded.model,
            loaded.tokenizer,
            data.train,
            rewards.functions,
            rewards.weights,
            output_dir=run_dir / "checkpoints",
            peft_config=loaded.peft_config,
            callbacks=[observer_callback(observer)],
        )

        def evaluate(tag: str) -> None:
            if data.eval is None:
                return
            result = evaluator.evaluate(
                trainer.model, loaded.tokenizer, data.eval, tag, correctness_judge(rewards)
            )
            _write_jsonl(run_dir / f"eval_samples_{tag}.jsonl", result.pop("samples"))
            report[tag] = result
            observer.log_eval(result, step=trainer.state.global_step)

        if data.eval is None and (evaluator.before_training or evaluator.after_training):
            report["warnings"] = [
                "no eval rows, so no accuracy is reported: set data.eval_path, data.eval_split "
                "or data.eval_holdout"
            ]
            print(f"rlvr: warning: {report['warnings'][0]}", file=sys.stderr)
        if evaluator.before_training:
            evaluate("before")
        train_output = trainer.train()
        report["reward_errors"] = rewards.error_counts
        report["train"] = {
            "global_step": trainer.state.global_step,
            "training_loss": train_output.training_loss,
            "runtime_s": train_output.metrics.get("train_runtime"),
        }
        if evaluator.after_training:
            evaluate("after")
        final_dir = run_dir / "final_model"
        trainer.save_model(str(final_dir))
        loaded.tokenizer.save_pretrained(str(final_dir))
        report["final_model"] = str(final_dir)
        (run_dir / "eval_report.json").write_text(json.dumps(report, indent=2))
        return report
    finally:
        observer.finish(
            {f"eval/{tag}/accuracy": report[tag]["accuracy"] for tag in ("before", "after") if tag in report}
        )


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
