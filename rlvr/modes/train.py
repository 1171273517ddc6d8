"""``mode=train`` (the default): GRPO training with evaluation before, during and after.

    python run_pipeline.py experiment=smoke

Build prompt, data, model, reward, evaluation and observer components from their nodes → build
``trl.GRPOTrainer`` (with the in-training eval callback) → evaluate before training (and ``eval.suite``)
→ train → evaluate after (and ``eval.suite``, paired with its baseline) → baseline → final with CIs,
best step, eval's share of wall time → save the final model (the LoRA adapter when LoRA is on) → write
the eval report → close the observer. Every file goes through :class:`rlvr.run_dir.RunDir`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rlvr.config import build
from rlvr.console import debug, say, warn
from rlvr.ending import set_phase
from rlvr.errors import ConfigError
from rlvr.evaluation.session import Evaluation, adopt_point, evaluate_policy, summarize_training
from rlvr.interfaces import (
    DataComponent,
    DataSplits,
    Evaluator,
    LoadedModel,
    ModelComponent,
    Observer,
    RewardComponent,
    TrainingLoop,
    TrainResult,
)
from rlvr.manifest import write_manifest
from rlvr.models.checks import chat_template_problem
from rlvr.modes.run_report import REPORT_FILE, RunReport, train_entry
from rlvr.modes.train_suite import (
    resumes,
    suite_after_training,
    suite_before_training,
    suite_interrupted,
    suite_seconds,
)
from rlvr.modes.write_errors import checkpoint_write_error, save_error
from rlvr.observers.callback import observer_callback, quiet_trainer
from rlvr.observers.silent import for_rank
from rlvr.run_dir import RunDir
from rlvr.sweep_job import sweep_run_names
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
    """Train with GRPO; return the run report as written to ``eval_report.json``."""
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
    report = RunReport(
        data=parts.data.info,
        reward_functions=dict(zip(parts.rewards.names, parts.rewards.weights, strict=True)),
        warnings=_warnings_without_eval_rows(parts),
    )
    try:  # each step returns its part of the report; the finally below sees the report so far
        trainer, periodic = build_trainer(parts, run_dir)
        before = _evaluate(parts, trainer, "before", run_dir, periodic)
        report = replace(report, before=before and before.summary, suite=_suite(cfg, parts, trainer, run_dir))
        set_phase("training")
        trained = train(parts, trainer, run_dir)
        if trained.already_finished:  # resumed a run that had already reached max_steps
            return report.as_dict()
        report = replace(report, reward_errors=parts.rewards.error_counts, train=train_entry(trained))
        if cfg.get("debug"):
            debug(f"step {trained.global_step}, trainable weights sha256 {weights_digest(trainer.model)}")
        if trained.interrupted:
            report = replace(report, suite=suite_interrupted(report.suite, trained))
            stop_after_signal(trained, run_dir, report)
        after = _evaluate(parts, trainer, "after", run_dir, periodic)
        report = replace(report, after=after and after.summary)
        report = replace(report, suite=_suite(cfg, parts, trainer, run_dir, report.suite))
        summary = summarize_training(
            parts.evaluator, before, after, periodic, run_dir.started, suite_seconds(report.suite)
        )
        report = replace(report, comparison=summary.comparison, periodic=summary.periodic)
        report = replace(report, eval_time=summary.eval_time)
        set_phase("saving the final model")
        report = save_final(parts, trainer, run_dir, report)
        return report.write(run_dir)
    finally:
        finish_observer(parts.observer, report)


def build_trainer(parts: Components, run_dir: RunDir) -> tuple[Any, Any | None]:
    """The trainer, with the observer's and the in-training eval's callbacks and the curriculum; and
    that in-training eval callback (None when periodic eval is off)."""
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
        prompt_tokens=parts.data.info.get("splits", {}).get("train", {}).get("prompt_tokens", {}).get("max"),
    )
    quiet_trainer(trainer)
    attach_curriculum(trainer, parts.data.info.get("curriculum"), parts.rewards.functions)
    return trainer, periodic


def train(parts: Components, trainer: Any, run_dir: RunDir) -> TrainResult:
    """The training loop's ``train``; a checkpoint that could not be written is one OutputError."""
    try:
        return parts.loop.train(trainer)
    except Exception as err:
        if failed_write := checkpoint_write_error(err, run_dir, Path(trainer.args.output_dir)):
            raise failed_write from err
        raise


def finish_observer(observer: Observer, report: RunReport) -> None:
    """Write the summary and close the backends; when that fails while the run is already failing (a
    full disk), warn, so the first error stays the one reported."""
    import sys

    failing = sys.exc_info()[1]  # called from a finally: the error the run is stopping with, if any
    try:
        observer.finish(report.accuracies())
    except Exception as err:
        if failing is None:
            raise
        warn(f"the summary could not be written: {type(err).__name__}: {err}")


def save_final(parts: Components, trainer: Any, run_dir: RunDir, report: RunReport) -> RunReport:
    """Save the final model (and the merged one when asked); the report with their paths. A failed write
    — whatever the writer raised: OSError, SafetensorError, torch's RuntimeError — writes the report as
    it stands (the accuracy is kept) and raises one OutputError naming the path, the reason and what is
    already safe on disk."""
    target = run_dir.file("final_model")
    try:
        save_policy(trainer, parts.policy.tokenizer, run_dir, str(target))
        saved = replace(report, final_model=str(target))
        if parts.policy.save_merged and run_dir.writer:
            from rlvr.models.saving import save_merged

            target = run_dir.file("merged_model")
            saved = replace(
                saved, merged_model=str(save_merged(trainer.model, parts.policy.tokenizer, target))
            )
        return saved
    except Exception as err:
        _keep_report(report, run_dir)
        raise save_error(err, target, run_dir) from err


def _keep_report(report: RunReport, run_dir: RunDir) -> None:
    """Write the report of a run whose final save failed; a report that cannot be written either (the
    disk is full) is a warning, so the save's error stays the one reported."""
    try:
        report.write(run_dir)
    except OSError as err:
        warn(f"{REPORT_FILE} could not be written: {type(err).__name__}: {err}")


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


def stop_after_signal(trained: TrainResult, run_dir: RunDir, report: RunReport) -> None:
    """The trainer saved a checkpoint after the signal: write the report so far, then stop non-zero with
    the command that resumes the run."""
    import sys

    from rlvr.errors import Interrupted
    from rlvr.training.interrupts import EXIT_CODES, resume_command

    signal, step = trained.interrupted, trained.global_step
    replace(report, interrupted={"signal": signal, "step": step}).write(run_dir)
    raise Interrupted(
        f"{signal}: stopped after step {step} with a checkpoint in {run_dir.file('checkpoints')}. "
        f"Resume: {resume_command(sys.argv, str(run_dir.path))}",
        EXIT_CODES.get(signal, 1),
    )


def _evaluate(parts: Components, trainer: Any, tag: str, run_dir: RunDir, periodic: Any) -> Evaluation | None:
    """The evaluation before or after training, when the evaluator asks for it and there are eval rows;
    the in-training eval takes its point at this step from it."""
    if not getattr(parts.evaluator, f"{tag}_training") or parts.data.eval is None:
        return None
    set_phase(f"the evaluation {tag} training")
    policy = (trainer.model, parts.policy.tokenizer)
    step = trainer.state.global_step
    evaluation = evaluate_policy(
        parts.evaluator, policy, parts.data.eval, tag, parts.rewards, parts.observer, run_dir, step
    )
    adopt_point(periodic, evaluation)
    return evaluation


def _suite(
    cfg: DictConfig, parts: Components, trainer: Any, run_dir: RunDir, so_far: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """``eval.suite`` on the policy before training (``so_far`` None) or after it, as the report's ``suite``
    entry (:mod:`rlvr.modes.train_suite`); None without a suite."""
    if not cfg.eval.get("suite"):
        return None
    policy, step = (trainer.model, parts.policy.tokenizer), trainer.state.global_step
    set_phase(f"the benchmark suite {'after' if so_far else 'before'} training")
    if so_far is None:
        return suite_before_training(cfg, run_dir, policy, parts.observer, resumes(cfg, run_dir))
    return suite_after_training(cfg, run_dir, policy, parts.observer, step, so_far)


def _warnings_without_eval_rows(parts: Components) -> list[str] | None:
    if parts.data.eval is None and (parts.evaluator.before_training or parts.evaluator.after_training):
        warn(NO_EVAL_ROWS)
        return [NO_EVAL_ROWS]
    return None
