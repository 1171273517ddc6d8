"""The roles the orchestrator wires together, as structural types (``typing.Protocol``).

A component is any class with the right methods — no base class to inherit. Its constructor
arguments are exactly the keys of its YAML node (so ``validate_config`` can bind them without
building anything); runtime objects (the prompt, the model) arrive through method calls.
Optionally a component declares ``config_issues(prefix, kwargs) -> list[ConfigIssue]`` as a
static method for rules beyond its signature.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from rlvr.data.base import DataSplits
from rlvr.models.hf import LoadedModel


class Prompt(Protocol):
    answer_format: str

    def build(self, question: str) -> list[dict[str, str]] | str:
        """Chat messages (instruct models) or a plain string (base models) for one question."""


class DataComponent(Protocol):
    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        """Train/eval rows with at least ``prompt`` and ``answer`` columns; with a tokenizer, prompt
        lengths are measured (and ``max_prompt_tokens`` enforced)."""


class ModelComponent(Protocol):
    def load_tokenizer(self) -> Any:
        """The tokenizer alone (left padding, pad token set), without loading weights."""

    def load(self, tokenizer: Any = None) -> LoadedModel:
        """Model, tokenizer and an optional peft config."""


class RewardComponent(Protocol):
    names: list[str]
    functions: list[Any]  # TRL reward functions: fn(prompts, completions, **columns) -> list[float | None]
    weights: list[float]
    error_counts: dict[str, int]  # samples that got the on_error fallback, per function


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


class Evaluator(Protocol):
    before_training: bool
    after_training: bool

    def evaluate(
        self, model: Any, tokenizer: Any, dataset: Any, tag: str, judge: Any = None
    ) -> dict[str, Any]:
        """A report with ``accuracy``, ``total`` and per-sample ``samples``; ``judge`` (a
        :class:`rlvr.rewards.roles.Judge`) decides correctness when given."""


class Observer(Protocol):
    def start(self, run_dir: Path, config: dict[str, Any]) -> None: ...

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None: ...

    def log_eval(self, report: dict[str, Any], step: int) -> None: ...

    def finish(self, summary: dict[str, Any] | None = None) -> None: ...
