"""The roles the orchestrator wires together (``typing.Protocol``) and the values they exchange.

A component is any class with the right methods — no base class to inherit. Its constructor
arguments are exactly the keys of its YAML node (so ``validate_config`` can bind them without
building anything); runtime objects (the prompt, the model) arrive through method calls.
Optionally a component declares ``config_issues(prefix, kwargs) -> list[ConfigIssue]`` as a
static method for rules beyond its signature.

This module imports nothing from the components: they depend on it, never the other way round.
Everything a caller uses on a component is declared here (a test checks the modes use nothing else).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from datasets import Dataset

    from rlvr.run_dir import RunDir


@dataclass
class DataSplits:
    """Train and held-out rows, plus facts about where they came from (for the observer and reports)."""

    train: Dataset
    eval: Dataset | None
    info: dict[str, Any] = field(default_factory=dict)


@dataclass
class LoadedModel:
    """A policy ready for the trainer: the model, its tokenizer and an optional ``peft`` config;
    ``save_merged`` asks the run to also save the adapter merged into a full model."""

    model: Any
    tokenizer: Any
    peft_config: Any | None
    save_merged: bool = False


@dataclass(frozen=True)
class TrainResult:
    """What one ``TrainingLoop.train`` call did, returned to the mode (the loop keeps no state about it)."""

    global_step: int  # the optimizer step training ended at
    training_loss: float | None = None  # the mean loss over the steps this call trained
    runtime_s: float | None = None  # the trainer's own wall time
    resumed_from: str | None = None  # the checkpoint it resumed from, if any
    interrupted: str | None = None  # the signal (SIGINT/SIGTERM) that stopped it after a checkpoint, if any
    already_finished: bool = False  # the checkpoint resumed from was already at max_steps: nothing trained


@dataclass(frozen=True)
class Judge:
    """Decides whether one completion answers one dataset row correctly, and shows what it read.

    ``extract`` returns the answer span the verdict was based on, so the eval ``extracted`` column,
    the eval verdict and ``mode=score`` use one rule for one config. With several tasks in one run,
    ``by_task`` holds each task's own judge; :meth:`for_row` picks the one for a row's ``task``."""

    name: str
    is_correct: Callable[[str, dict[str, Any]], bool]
    extract: Callable[[str], str | None]
    by_task: dict[str, Judge] | None = None

    def for_row(self, row: dict[str, Any]) -> Judge:
        """The judge of ``row``'s task (its ``task`` column), else this one."""
        return (self.by_task or {}).get(row.get("task"), self)


class Prompt(Protocol):
    answer_format: str

    def build(self, question: str) -> list[dict[str, str]] | str:
        """Chat messages (instruct models) or a plain string (base models) for one question."""

    def format_answer(self, answer: str, reasoning: str = "") -> str:
        """A completion stating ``answer`` exactly as the prompt's instructions ask (``mode=check``)."""


class DataComponent(Protocol):
    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        """Train/eval rows with at least ``prompt`` and ``answer`` columns; with a tokenizer, prompt
        lengths are measured (and ``max_prompt_tokens`` enforced)."""


class ModelComponent(Protocol):
    def load_tokenizer(self) -> Any:
        """The tokenizer alone (left padding, pad token set), without loading weights."""

    def load_config(self) -> Any:
        """The model's ``transformers`` config, without weights (for the memory estimate)."""

    def load(self, tokenizer: Any = None) -> LoadedModel:
        """Model, tokenizer and an optional peft config."""


class RewardFunction(Protocol):
    """One reward in TRL's signature, with what audits need to know about it."""

    name: str  # the metric name (``rewards/<name>/mean``)
    scorer: Callable[..., Any]  # the pure scoring function behind it
    params: dict[str, Any]  # its keyword arguments from the YAML
    columns: list[str]  # dataset columns it reads
    errors: int  # samples that got the on_error fallback so far
    tasks: list[str] | None  # the tasks whose rows it scores (None: every row)

    def __call__(self, prompts: list[Any], completions: list[Any], **columns: Any) -> list[float | None]: ...


class RewardComponent(Protocol):
    names: list[str]
    functions: list[RewardFunction]
    weights: list[float]
    error_counts: dict[str, int]  # samples that got the on_error fallback, per function

    def judge(self) -> Judge | None:
        """Correctness as the first ``@correctness`` reward at its maximum; None without one."""

    def format_check(self) -> Callable[[str], bool] | None:
        """Format compliance as the first ``@format_reward`` reward at its maximum; None without one."""


class TrainingLoop(Protocol):
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
        """A ready ``trl.GRPOTrainer``."""

    def train(self, trainer: Any) -> TrainResult:
        """Train (resuming when configured, stopping cleanly on SIGINT/SIGTERM); what happened."""


class Evaluator(Protocol):
    before_training: bool
    after_training: bool

    def evaluate(
        self,
        model: Any,
        tokenizer: Any,
        dataset: Any,
        tag: str,
        judge: Judge | None = None,
        format_check: Callable[[str], bool] | None = None,
    ) -> dict[str, Any]:
        """A report with ``accuracy``, ``total`` and per-sample ``samples``; ``judge`` decides
        correctness (and extracts the shown answer) when given, ``format_check`` format compliance."""

    def compare(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
        """Per metric: baseline → final, the difference and its confidence interval."""

    def sampled_rows(
        self, model: Any, tokenizer: Any, dataset: Any, judge: Judge | None = None, keys: Any = None
    ) -> list[list[dict[str, Any]]]:
        """Each row's ``samples_per_problem`` sampled completions, judged (``extracted``, ``correct``,
        ``completion_tokens``, ``truncated``); row i's draws are keyed by ``keys[i]`` (default i)."""

    def callback(
        self,
        tokenizer: Any,
        dataset: Any,
        judge: Judge | None,
        observer: Observer,
        run_dir: RunDir,
        format_check: Callable[[str], bool] | None = None,
        save_best: Callable[[str], None] | None = None,
    ) -> Any | None:
        """A ``TrainerCallback`` evaluating during training, or None when periodic eval is off. Its
        ``state.adopt(step, samples)`` takes a point from a before/after evaluation, ``state.summary()``
        gives the points and the best step; ``save_best(path)`` saves the policy."""


class Observer(Protocol):
    """Receives everything a run reports: training logs, evaluations, tables and the end."""

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> None: ...

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None: ...

    def log_eval(self, report: dict[str, Any], step: int) -> None: ...

    def log_table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        """Rows (eval samples, completions) for the outputs that show tables (W&B, TensorBoard)."""

    def completions_every(self) -> int:
        """Logging steps between tables of the latest completions (0 = never); the trainer callback asks."""

    def finish(self, summary: dict[str, Any] | None = None) -> None: ...


class Sink(Protocol):
    """One output of :class:`rlvr.observers.RunObserver` (``observer.sinks.<name>``: ``metrics.jsonl``, the
    console, W&B, TensorBoard, or your own): the observer hands each one every record, table and alarm and
    the summary, with secrets already masked. A record is ``{"kind": "train"|"eval"|"setup"|"data",
    "step": N, "time_s": ..., <metrics>}``; keep what you need."""

    #: Logging steps between tables of the latest completions this output wants (0 = none).
    completions_every: int

    def start(self, run_dir: RunDir, config: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Open the output; return the records an earlier attempt of this run wrote when a resumed run
        continues them (the run's own record does), else None."""

    def log(self, record: dict[str, Any]) -> None: ...

    def table(self, name: str, rows: list[dict[str, Any]], step: int) -> None: ...

    def alarm(self, name: str, message: str, step: int) -> None: ...

    def finish(self, summary: dict[str, Any]) -> None:
        """The run's summary (``summary.json``'s content, with ``plots``: title → PNG path); close."""
