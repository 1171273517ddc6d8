"""A pass-rate curriculum over GRPOTrainer's own methods: which training rows each generation batch holds.

    python run_pipeline.py data.difficulty_file=<profile run>/difficulty.jsonl data.curriculum=easy_first
    python run_pipeline.py data.curriculum=hard_first data.curriculum_online=true data.retire_after=3

The data component carries the ``data.curriculum*`` keys and each row's profiled pass rate
(:mod:`rlvr.data.difficulty`); the train mode hands them over with :func:`attach_curriculum`, and
:class:`CurriculumMixin` (stacked by :func:`rlvr.training.trainer_class.compose_trainer_class`) does:

* ``_get_train_sampler`` — TRL's own ``RepeatSampler`` without its shuffle (``train.shuffle_dataset``
  has no effect under a curriculum), its positions mapped to the curriculum order
  (:class:`~rlvr.training.curriculum_state.Curriculum`). With fixed rates that is the whole curriculum,
  and a resumed run's data skip replays it exactly.
* online — ``_generate_and_score_completions`` replaces the batch's rows with the curriculum's next
  picks at the moment they are generated, and ``_calculate_rewards`` (called, then read) records each
  group's share of completions the correctness reward scores at its maximum. Picking there, not in the
  sampler, is what makes it exact: the trainer draws the sampler a whole optimizer step (and the data
  loader one batch) ahead of the rewards that should steer it, and replays it without rewards on resume.
  Dynamic sampling's refill rounds pass through here too, so they also draw from the curriculum.
* the online state goes into every checkpoint as ``curriculum_state.json`` (written before TRL's own
  files, so a checkpoint with ``trainer_state.json`` always has it) and is read back by ``train()`` when
  resuming: a resumed run continues the curriculum exactly. Logged: ``curriculum/{retired,waiting,ready}``.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from rlvr.console import say
from rlvr.errors import ConfigError
from rlvr.training.curriculum_state import Curriculum, CurriculumSettings

STATE_FILE = "curriculum_state.json"


class CurriculumMixin:
    """Mix in before ``GRPOTrainer``; inert until :func:`attach_curriculum` gives it a curriculum."""

    curriculum: Curriculum | None = None
    _correctness: list[tuple[int, float]] | None = None  # (reward column, its maximum) per correctness reward
    _picked: list[int] | None = None  # the rows of the batch being scored, in gathered order

    def _get_train_sampler(self, dataset: Any = None) -> Any:
        if self.curriculum is None:
            return super()._get_train_sampler(dataset)
        self.shuffle_dataset = False  # TRL's own switch: RepeatSampler walks positions 0, 1, …
        sampler = super()._get_train_sampler(dataset)
        order = self.curriculum.static_order()
        size = len(dataset if dataset is not None else self.train_dataset)
        return _Reordered(sampler, order) if size == len(order) else sampler

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        if not self._online():
            return super()._generate_and_score_completions(inputs)
        size, world = self.num_generations, self.accelerator.num_processes
        local = len(inputs) // size
        picked = self.curriculum.pick(local * world, self.state.global_step)
        mine = picked[self.accelerator.process_index * local : (self.accelerator.process_index + 1) * local]
        self._picked = picked
        rows = [dict(self.train_dataset[row]) for row in mine for _ in range(size)]
        return super()._generate_and_score_completions(rows)

    def _calculate_rewards(
        self, inputs: Any, prompts: Any, completions: Any, completion_ids_list: Any
    ) -> Any:
        import torch

        rewards = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        if self._picked is None or not self._online() or self._correctness is None:
            return rewards
        solved = torch.zeros(rewards.size(0), dtype=torch.bool, device=rewards.device)
        for column, best in self._correctness:  # several tasks: each row is judged by its own task's reward
            scores = rewards[:, column]
            solved |= ~torch.isnan(scores) & (scores >= best - 1e-9)
        solved = solved.float().view(-1, self.num_generations)
        step = self.state.global_step
        self.curriculum.record(self._picked, solved.mean(dim=1).tolist(), step)
        self._picked = None
        for name, count in self.curriculum.counts(step).items():
            self._metrics["train"][f"curriculum/{name}"].append(float(count))
        return rewards

    def _save_checkpoint(self, model: Any, trial: Any) -> None:
        if self._online() and self.args.should_save:
            folder = Path(self._get_output_dir(trial=trial)) / f"checkpoint-{self.state.global_step}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / STATE_FILE).write_text(json.dumps(self.curriculum.state()), encoding="utf-8")
        super()._save_checkpoint(model, trial)

    def train(self, resume_from_checkpoint: Any = None, *args: Any, **kwargs: Any) -> Any:
        if resume_from_checkpoint and self._online(training=False):
            self.curriculum.load(read_state(self._checkpoint_folder(resume_from_checkpoint)))
        return super().train(resume_from_checkpoint, *args, **kwargs)

    def _online(self, training: bool = True) -> bool:
        on = self.curriculum is not None and self.curriculum.settings.online
        return on and (not training or self.model.training)

    def _checkpoint_folder(self, value: Any) -> Path:
        if value is True:  # transformers' "the newest checkpoint in output_dir"
            from transformers.trainer_utils import get_last_checkpoint

            return Path(get_last_checkpoint(self.args.output_dir))
        return Path(str(value))


def read_state(checkpoint: Path) -> dict[str, Any]:
    path = checkpoint / STATE_FILE
    if not path.is_file():
        raise ConfigError(
            f"{checkpoint} has no {STATE_FILE}: it was saved by a run without data.curriculum_online=true. "
            "Resume with the data.* keys of the run that wrote it, or start a new run"
        )
    return json.loads(path.read_text(encoding="utf-8"))


class _Reordered:
    """TRL's sampler, its positions 0…n-1 read through the curriculum order."""

    def __init__(self, positions: Any, order: list[int]):
        self.positions, self.order = positions, order

    def __iter__(self) -> Any:
        return (self.order[position] for position in self.positions)

    def __len__(self) -> int:
        return len(self.positions)


def attach_curriculum(trainer: Any, settings: dict[str, Any] | None, reward_functions: list[Any]) -> None:
    """Give ``trainer`` the curriculum ``settings`` describe (``DataSplits.info["curriculum"]``; None: no
    curriculum). Online it needs a correctness reward among ``reward_functions``."""
    if settings is None:
        return
    if not isinstance(trainer, CurriculumMixin):
        raise ConfigError("data.curriculum needs rlvr's trainer class (compose_trainer_class)")
    chosen = CurriculumSettings(**settings)
    dataset = trainer.train_dataset
    column = chosen.pass_rate_column
    rates = dataset[column] if column in dataset.column_names else [None] * len(dataset)
    trainer.curriculum = Curriculum(chosen, rates, int(trainer.args.seed))
    rated = sum(rate is not None for rate in rates)
    online = (
        f"; online: retire after {chosen.retire_after} all-solved visits, unsolved rows sit out "
        f"{chosen.revisit_after} steps"
        if chosen.online
        else ""
    )
    say(
        f"curriculum: {chosen.order} over {len(rates)} training rows ({rated} with a profiled pass rate){online}"
    )
    if chosen.online:
        trainer._correctness = correctness_columns(reward_functions)


def correctness_columns(functions: list[Any]) -> list[tuple[int, float]]:
    """(index, best score) of every reward whose scorer is marked ``@correctness`` (the marker of
    :mod:`rlvr.rewards.judge`, read here by name: components do not import each other). A completion is
    solved when one of them gives it its maximum: with several tasks each row is scored by its own."""
    found = []
    for index, function in enumerate(functions):
        scorer = getattr(function, "scorer", None)
        name = getattr(scorer, "correctness_max_param", None)
        if name is None:
            continue
        params = getattr(function, "params", {}) or {}
        best = params[name] if name in params else inspect.signature(scorer).parameters[name].default
        found.append((index, float(best)))
    if found:
        return found
    raise ConfigError(
        "data.curriculum_online=true reads each completion's correctness, and no reward function is a "
        "correctness reward (@correctness, e.g. numeric_correctness). Fix: add one to reward.reward_functions, "
        "or set data.curriculum_online=false"
    )
