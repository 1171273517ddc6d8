"""``mode=train`` (the default): GRPO training with evaluation before, during and after.

    python run_pipeline.py experiment=smoke

Build prompt, data, model, reward, evaluation and observer components from their nodes → build
``trl.GRPOTrainer`` (with the in-training eval callback) → evaluate before training → train → evaluate
after → baseline → final with CIs, best step, eval's share of wall time → save the final model (the
LoRA adapter when LoRA is on) → write the eval report → close the observer. Every file goes through
:class:`rlvr.run_dir.RunDir`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rlvr.config import build
from rlvr.console import debug, say, warn
from rlvr.ending import set_phase
from rlvr.errors import ConfigError
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
from rlvr.manifest import write_manifest
from rlvr.models.checks import chat_template_problem
from rlvr.modes.eval import adopt_point, summarize_evaluation
from rlvr.modes.sweep import sweep_run_names
from rlvr.modes.write_errors import checkpoint_write_error, save_error
from rlvr.observers.callback import observer_callback, quiet_trainer
from rlvr.observers.silent import for_rank
from rlvr.run_dir import RunDir
from rlvr.training.curriculum import attach_curriculum

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
    if problem := chat_template_problem(prompt, tokenizer):
        raise ConfigError(problem)
    data_component: DataComponent = build(cfg.data)
    data = data_component.load(prompt, tokenizer)
    loop = build(cfg.train)  # before the weights: it checks the precision against this machine
    memory = memory_estimate(cfg, model_component)
    policy = model_component.load(tokenizer)
    data.info["memory_estimate"] = memory
    return Components(data, policy, build(cfg.reward), build(cfg.eval), build(cfg.observer), loop)


def memory_estimate(cfg: DictConfig, model_component: ModelComponent) -> dict[str, float]:
    """Print the pre-load memory estimate; warn when it exceeds the free GPU memory, stop when it exceeds
    the GPU by far. Advisory: a model whose config cannot be read or measured is loaded anyway."""
    import torch
    from omegaconf import OmegaConf

    from rlvr.models.checks import context_warnings
    from rlvr.models.memory import GIB, estimate_memory, fit_problem, format_estimate, plan_from_settings

    cuda = torch.cuda.is_available()
    settings = [OmegaConf.to_container(cfg[node], resolve=True) for node in ("model", "train")]
    try:
        config = model_component.load_config()
        estimate = estimate_memory(config, plan_from_settings(*settings, cuda))
    except (OSError, ValueError, AttributeError, TypeError) as err:
        warn(f"memory estimate skipped: {str(err).splitlines()[0]}")
        return {}
    lengths = {"train.max_completion_length": cfg.train.get("max_completion_length")}
    lengths["eval.max_new_tokens"] = cfg.eval.get("max_new_tokens") if cfg.eval.get("enabled") else None
    for message in context_warnings(config, lengths):
        warn(message)
    say(format_estimate(estimate))
    if cuda:
        free, total = torch.cuda.mem_get_info()
        problem = fit_problem(estimate, free / GIB, total / GIB)
        if problem and problem[1]:
            from rlvr.errors import SetupError

            raise SetupError(f"model: {problem[0]}")
        if problem:
            warn(problem[0])
    return estimate


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Train with GRPO and return the eval report (also written to ``eval_report.json``)."""
    sweep_run_names(cfg)
    config = run_dir.write_config(cfg)
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    set_phase("loading the data and the model")
    parts = build_components(cfg)
    parts.observer = for_rank(parts.observer, run_dir)  # other ranks of a launch: silent
    write_manifest(run_dir, config, parts.data.info)
    parts.observer.start(run_dir, config)
    parts.observer.log_metrics({"data": parts.data.info}, step=0, kind="data")
    report: dict[str, Any] = {
        "data": parts.data.info,
        "reward_functions": dict(zip(parts.rewards.names, parts.rewards.weights, strict=True)),
    }
    results: dict[str, dict[str, Any]] = {}
    try:
        periodic = parts.evaluator.callback(
            parts.policy.tokenizer,
            parts.data.eval,
            parts.rewards.judge(),
            parts.observer,
            run_dir,
            parts.rewards.format_check(),
            lambda path: save_policy(trainer, parts.policy.tokenizer, run_dir, path),
        )
        set_phase("building the trainer")
        trainer = parts.loop.build_trainer(
            parts.policy.model,
            parts.policy.tokenizer,
            parts.data.train,
            parts.rewards.functions,
            parts.rewards.weights,
            output_dir=run_dir.file("checkpoints"),
            peft_config=parts.policy.peft_config,
            callbacks=[observer_callback(parts.observer), *([periodic] if periodic else [])],
            prompt_tokens=parts.data.info.get("splits", {})
            .get("train", {})
            .get("prompt_tokens", {})
            .get("max"),
        )
        quiet_trainer(trainer)
        attach_curriculum(trainer, parts.data.info.get("curriculum"), parts.rewards.functions)
        _warn_without_eval_rows(parts, report)
        if parts.evaluator.before_training:
            set_phase("the evaluation before training")
            _evaluate(parts, trainer, "before", run_dir, report, results)
            adopt_point(periodic, trainer.state.global_step, results.get("before"))
        set_phase("training")
        try:
            trained = parts.loop.train(trainer)
        except Exception as err:  # a checkpoint that could not be written is one OutputError
            checkpoints = Path(trainer.args.output_dir)
            if failed_write := checkpoint_write_error(err, run_dir, checkpoints):
                raise failed_write from err
            raise
        if trained.already_finished:  # resumed a run that had already reached max_steps
            return report
        report["reward_errors"] = parts.rewards.error_counts
        report["train"] = {
            "global_step": trained.global_step,
            "training_loss": trained.training_loss,
            "runtime_s": trained.runtime_s,
            "resumed_from": trained.resumed_from,
        }
        if cfg.get("debug"):
            debug(
                f"step {trainer.state.global_step}, trainable weights sha256 {weights_digest(trainer.model)}"
            )
        if trained.interrupted:
            stop_after_signal(trained.interrupted, trainer, run_dir, report)
        if parts.evaluator.after_training:
            set_phase("the evaluation after training")
            _evaluate(parts, trainer, "after", run_dir, report, results)
            adopt_point(periodic, trainer.state.global_step, results.get("after"))
        summarize_evaluation(parts.evaluator, results, periodic, report, run_dir.started)
        run_dir.write_json("eval_report.json", report)  # the accuracy is kept even if the save below fails
        set_phase("saving the final model")
        save_final(parts, trainer, run_dir, report)
        run_dir.write_json("eval_report.json", report)
        return report
    finally:
        finish_observer(parts.observer, report)


def finish_observer(observer: Observer, report: dict[str, Any]) -> None:
    """Write the summary and close the backends; when that fails while the run is already failing (a
    full disk), warn, so the first error stays the one reported."""
    import sys

    failing = sys.exc_info()[1]  # called from a finally: the error the run is stopping with, if any
    try:
        observer.finish(
            {f"eval/{t}/accuracy": report[t]["accuracy"] for t in ("before", "after") if t in report}
        )
    except Exception as err:
        if failing is None:
            raise
        warn(f"the summary could not be written: {type(err).__name__}: {err}")


def save_final(parts: Components, trainer: Any, run_dir: RunDir, report: dict[str, Any]) -> None:
    """Save the final model (and the merged one when asked); a failed write — whatever the writer
    raised: OSError, SafetensorError, torch's RuntimeError — names the path, the reason and what is
    already safe on disk."""
    target = run_dir.file("final_model")
    try:
        save_policy(trainer, parts.policy.tokenizer, run_dir, str(target))
        report["final_model"] = str(target)
        if parts.policy.save_merged and run_dir.writer:
            from rlvr.models.saving import save_merged

            target = run_dir.file("merged_model")
            report["merged_model"] = str(save_merged(trainer.model, parts.policy.tokenizer, target))
    except Exception as err:
        raise save_error(err, target, run_dir) from err


def save_policy(trainer: Any, tokenizer: Any, run_dir: RunDir, path: str) -> None:
    """Save the policy (every rank calls the Trainer, which gathers sharded weights and writes on rank 0)
    and the tokenizer (written by the run dir's writer only)."""
    trainer.save_model(path)
    if run_dir.writer:
        tokenizer.save_pretrained(path)


def weights_digest(model: Any) -> str:
    """sha256 of the trainable weights (names and bytes, in name order): equal on every rank of a DDP run."""
    import hashlib

    digest = hashlib.sha256()
    for name, parameter in sorted(model.named_parameters()):
        if parameter.requires_grad:
            digest.update(name.encode())
            digest.update(parameter.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()[:16]


def stop_after_signal(signal: str, trainer: Any, run_dir: RunDir, report: dict[str, Any]) -> None:
    """The trainer saved a checkpoint after the signal: keep the report so far, then stop non-zero with
    the command that resumes the run."""
    import sys

    from rlvr.errors import Interrupted
    from rlvr.training.interrupts import EXIT_CODES, resume_command

    step = trainer.state.global_step
    report["interrupted"] = {"signal": signal, "step": step}
    run_dir.write_json("eval_report.json", report)
    raise Interrupted(
        f"{signal}: stopped after step {step} with a checkpoint in {run_dir.file('checkpoints')}. "
        f"Resume: {resume_command(sys.argv, str(run_dir.path))}",
        EXIT_CODES.get(signal, 1),
    )


def _evaluate(
    parts: Components,
    trainer: Any,
    tag: str,
    run_dir: RunDir,
    report: dict[str, Any],
    results: dict[str, dict[str, Any]],
) -> None:
    """Evaluate the current policy; per-sample rows go to ``eval_samples_<tag>.jsonl``, the summary to
    the report and the observer, the full result (samples included) to ``results``."""
    if parts.data.eval is None:
        return
    result = parts.evaluator.evaluate(
        trainer.model,
        parts.policy.tokenizer,
        parts.data.eval,
        tag,
        parts.rewards.judge(),
        parts.rewards.format_check(),
    )
    run_dir.write_jsonl(f"eval_samples_{tag}.jsonl", result["samples"])
    results[tag] = result
    report[tag] = {k: v for k, v in result.items() if k != "samples"}
    parts.observer.log_eval(report[tag], step=trainer.state.global_step)
    parts.observer.log_table(f"eval_samples/{tag}", result["samples"], step=trainer.state.global_step)


def _warn_without_eval_rows(parts: Components, report: dict[str, Any]) -> None:
    if parts.data.eval is None and (parts.evaluator.before_training or parts.evaluator.after_training):
        report["warnings"] = [NO_EVAL_ROWS]
        warn(NO_EVAL_ROWS)
