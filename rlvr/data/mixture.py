"""Several tasks in one run: rows of several data components mixed by weight, each keeping its task.

    python run_pipeline.py data_component=mixture        # GSM8K + FinQA + reasoning-gym (conf/data_component/mixture.yaml)

``tasks`` maps a task name to ``{weight, data, prompt}``: ``data`` is any data component's node (GSM8K,
FinQA, reasoning-gym, generic, yours), ``prompt`` a prompts node for that task alone (null: the run's).
Every row gets a ``task`` column holding its task's name, which routes it:

* rewards: an entry with ``tasks: [finqa]`` scores only FinQA rows (``conf/reward_component/mixture.yaml``,
  selected with this data), and every reward logs its mean per task (``tasks/<task>/<reward>/mean``);
* evaluation: a row is judged by its own task's correctness reward, and the report's ``by_task`` gives
  each task's accuracy with its CI.

Training rows are drawn in proportion to the weights: ``size`` rows in all, or, with ``size: null``, as many
as the tasks allow without repeating a row (the task shortest of rows for its share sets the total). A task
asked for more rows than it has repeats them, with a warning. The mix is shuffled (seeded). Eval rows are
every task's eval split (at most ``eval_size`` each), interleaved task by task, so the first N rows that
``eval.max_samples`` keeps cover every task. Counts per task go into the data report.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from typing import Annotated, Any

from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast
from rlvr.console import warn
from rlvr.data.base import DataSplits, to_dataset
from rlvr.errors import DataError
from rlvr.interfaces import Prompt

Row = dict[str, Any]


@dataclass(frozen=True)
class MixtureTask(Settings):
    """One task of the mixture (an entry of ``data.tasks``)."""

    #: Share of the training rows (the weights are normalised).
    weight: Annotated[float, AtLeast(0, strict=True)] = 1.0
    #: Any data component's node (``_target_`` and its keys).
    data: dict[str, Any] | None = None
    #: A prompts node for this task alone; None = the run's prompt.
    prompt: dict[str, Any] | None = None

    def rules(self, prefix: str) -> list[ConfigIssue]:
        """The data node (and the prompt node) checked like top-level nodes."""
        from rlvr.config.validate import component_issues  # the validator calls this: import late

        if self.data is None:
            return [ConfigIssue(prefix, None, "a task needs a `data` node", "give {weight, data, prompt}")]
        issues = component_issues(f"{prefix}.data", self.data)
        return issues + (component_issues(f"{prefix}.prompt", self.prompt) if self.prompt else [])


def mix_counts(weights: dict[str, float], available: dict[str, int], size: int | None) -> dict[str, int]:
    """Rows per task: ``size`` split by the weights (largest remainders round, so they sum to ``size``);
    with ``size`` None, the largest total that takes no task beyond the rows it has."""
    total = sum(weights.values())
    shares = {task: weight / total for task, weight in weights.items()}
    if size is None:
        size = min(math.floor(available[t] / share + 1e-9) for t, share in shares.items() if share > 0)
    quotas = {task: share * size for task, share in shares.items()}
    counts = {task: math.floor(quota) for task, quota in quotas.items()}
    by_remainder = sorted(quotas, key=lambda t: (counts[t] - quotas[t], list(quotas).index(t)))
    for task in by_remainder[: size - sum(counts.values())]:
        counts[task] += 1
    return counts


def draw(rows: list[Row], count: int, rng: random.Random) -> list[Row]:
    """``count`` rows: a seeded sample without repeats, or every row as often as needed, then a sample."""
    whole, rest = divmod(count, len(rows)) if rows else (0, 0)
    return [row for _ in range(whole) for row in rows] + rng.sample(rows, rest)


def interleave(parts: list[list[Row]]) -> list[Row]:
    """One row of each part in turn (parts that run out drop out): every prefix covers every part."""
    longest = max((len(part) for part in parts), default=0)
    return [part[i] for i in range(longest) for part in parts if i < len(part)]


def unify(rows: list[Row]) -> list[Row]:
    """Rows of different tasks as one table: every column on every row (None where a task has none),
    and a column whose tasks give it different types held as text (Arrow needs one type per column)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    kinds = {c: {type(row[c]) for row in rows if row.get(c) is not None} for c in columns}
    mixed = {c for c, found in kinds.items() if len(found) > 1}
    if "prompt" in mixed:
        raise DataError(
            "the mixed tasks build their prompts differently (chat messages and plain text): give every "
            "task a prompt with the same use_chat_template"
        )
    return [
        {c: (str(row[c]) if c in mixed and row.get(c) is not None else row.get(c)) for c in columns}
        for row in rows
    ]


class MixtureData:
    """Rows of several tasks, mixed by weight; each row's ``task`` column names its task."""

    def __init__(
        self,
        tasks: dict[str, MixtureTask],
        size: Annotated[int, AtLeast(1)] | None = None,
        eval_size: Annotated[int, AtLeast(1)] | None = None,
        seed: int = 42,
    ):
        self.tasks = {name: MixtureTask.of(entry) for name, entry in tasks.items()}
        self.size, self.eval_size, self.seed = size, eval_size, seed

    def load(self, prompt: Prompt, tokenizer: Any = None) -> DataSplits:
        from rlvr.config.build import build

        parts: dict[str, DataSplits] = {}
        for name, entry in self.tasks.items():
            task_prompt = build(entry.prompt) if entry.prompt else prompt
            parts[name] = build(entry.data).load(task_prompt, tokenizer)
        trains = {
            name: [{**row, "task": name} for row in part.train.to_list()] for name, part in parts.items()
        }
        weights = {name: float(entry.weight) for name, entry in self.tasks.items()}
        counts = mix_counts(weights, {name: len(rows) for name, rows in trains.items()}, self.size)
        rng = random.Random(self.seed)
        train: list[Row] = []
        for name, rows in trains.items():
            if counts[name] > len(rows):
                warn(
                    f"data: task {name} has {len(rows)} training rows for a share of {counts[name]}: rows repeat"
                )
            train += draw(rows, counts[name], rng)
        if not train:
            raise DataError(
                f"the mixture has no training rows (rows per task: {counts}); check each task's data"
            )
        rng.shuffle(train)
        evals = [
            [{**row, "task": name} for row in part.eval.to_list()][: self.eval_size]
            for name, part in parts.items()
            if part.eval is not None
        ]
        evaluation = interleave(evals)
        info = self._info(parts, weights, counts, trains, evaluation)
        return DataSplits(
            to_dataset(unify(train)), to_dataset(unify(evaluation)) if evaluation else None, info
        )

    def _info(
        self,
        parts: dict[str, DataSplits],
        weights: dict[str, float],
        counts: dict[str, int],
        trains: dict[str, list[Row]],
        evaluation: list[Row],
    ) -> dict[str, Any]:
        """The data report: per task its weight, rows drawn of rows available, eval rows and its own report."""
        total = sum(counts.values())
        tasks = {
            name: {
                "weight": weights[name],
                "train_rows": counts[name],
                "share": round(counts[name] / total, 4) if total else 0.0,
                "available": len(trains[name]),
                "eval_rows": sum(1 for row in evaluation if row["task"] == name),
                "data": part.info,
            }
            for name, part in parts.items()
        }
        info: dict[str, Any] = {"task": "mixture", "seed": self.seed, "tasks": tasks}
        info["splits"] = {"train": {"rows": total}, "eval": {"rows": len(evaluation)}}
        info["fingerprint"] = hashlib.sha256(repr(sorted(info.items())).encode()).hexdigest()[:16]
        return info

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """At least one task (each task's keys are checked from :class:`MixtureTask`)."""
        if kwargs.get("tasks") != {}:
            return []
        return [
            ConfigIssue(
                f"{prefix}.tasks", {}, "needs a mapping of tasks", "see conf/data_component/mixture.yaml"
            )
        ]
