"""Dynamic sampling (DAPO): train only on GRPO groups whose rewards spread, refilling the batch with new ones.

A group whose completions all get the same reward has zero advantage: it costs a forward and backward and
moves nothing. With ``train.dynamic_sampling.enabled=true`` each generation batch is scored as TRL always
does (``GRPOTrainer._generate_and_score_completions``, called unchanged); groups whose reward standard
deviation is at most ``min_std`` are dropped and further rounds of new prompts, drawn from the training
set, are generated and scored until the batch holds as many informative groups as it had groups, or
``max_rounds`` extra rounds have run. Then the step trains on what it has and says so: the missing slots
are filled with dropped groups whose completion tokens are masked out (zero loss, zero tokens in the
normaliser), so every rank still ends the step with the same number of rows and micro-batches.

Advantages are those TRL computed for each round; with ``scale_rewards=group`` (the default) a group's
advantages depend on that group only, so the kept groups train exactly as a batch made of them alone
would (tested on CPU). Logged per step: ``sampling/groups_generated``, ``sampling/groups_kept``,
``sampling/rounds``, ``sampling/kept_fraction`` and ``sampling/groups_masked``.
"""

from __future__ import annotations

from typing import Any

import torch

from rlvr.console import warn
from rlvr.errors import ConfigError
from rlvr.training.step_settings import DynamicSampling

#: Output keys laid out as (rows, prompt width), left-padded.
_PROMPT = ("prompt_ids", "prompt_mask")


class DynamicSamplingMixin:
    """Mix in before ``GRPOTrainer``; set :attr:`_dynamic` on the class."""

    _dynamic: DynamicSampling = DynamicSampling()

    def _calculate_rewards(
        self, inputs: Any, prompts: Any, completions: Any, completion_ids_list: Any
    ) -> torch.Tensor:
        rewards = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self._last_rewards_per_func = rewards  # gathered over processes, (rows of all ranks, functions)
        return rewards

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        if not (self._dynamic.enabled and self.model.training):
            return super()._generate_and_score_completions(inputs)
        size = self.num_generations
        wanted = len(inputs) // size
        kept: list[dict[str, Any]] = []
        dropped: list[dict[str, Any]] = []
        rounds, generated = 0, 0
        batch = inputs
        while True:
            output = super()._generate_and_score_completions(batch)
            informative = self._informative_groups(len(batch))
            generated += len(informative)
            for group, good in enumerate(informative):
                (kept if good else dropped).append(select_group(output, group, size))
            if self._fewest_across_ranks(len(kept)) >= wanted or rounds >= self._dynamic.max_rounds:
                break
            rounds += 1
            batch = self._draw_groups(wanted, rounds)
        masked = max(wanted - len(kept), 0)
        if masked and not getattr(self, "_dynamic_short_said", False):
            warn(
                f"dynamic sampling: {len(kept)} of {wanted} groups informative after {rounds} extra round(s) "
                f"(train.dynamic_sampling.max_rounds={self._dynamic.max_rounds}); the step trains on those, "
                "the rest masked out (said once; sampling/groups_masked counts them per step)"
            )
            self._dynamic_short_said = True
        groups = kept[:wanted] + [mask_completions(group) for group in dropped[:masked]]
        merged = merge_groups(groups, self._tokenizer.pad_token_id)
        merged["num_items_in_batch"] = self.accelerator.gather(loss_mask(merged).sum()).sum()
        metrics = self._metrics["train"]
        metrics["sampling/groups_generated"].append(float(generated))
        metrics["sampling/groups_kept"].append(float(min(len(kept), wanted)))
        metrics["sampling/rounds"].append(float(rounds))
        metrics["sampling/kept_fraction"].append(len(kept) / max(generated, 1))
        metrics["sampling/groups_masked"].append(float(masked))
        return merged

    def _informative_groups(self, local_rows: int) -> list[bool]:
        """Per local group: does its reward spread by more than ``min_std``?"""
        rewards = self._last_rewards_per_func
        start = self.accelerator.process_index * local_rows
        rewards = rewards[start : start + local_rows]
        name = self._dynamic.reward
        if name is None:
            values = (rewards * self.reward_weights.to(rewards.device).unsqueeze(0)).nansum(dim=1)
            values[torch.isnan(rewards).all(dim=1)] = torch.nan
        else:
            values = rewards[:, list(self.reward_func_names).index(name)]
        return informative(values.view(-1, self.num_generations), self._dynamic.min_std)

    def _fewest_across_ranks(self, count: int) -> int:
        """The smallest kept count over all ranks, so every rank runs the same number of rounds."""
        counts = self.accelerator.gather(torch.tensor([count], device=self.accelerator.device))
        return int(counts.min())

    def _draw_groups(self, groups: int, round_index: int) -> list[dict[str, Any]]:
        """``groups`` new prompts from the training set, each repeated ``num_generations`` times; the draw
        depends on the seed, the step, the round and the rank, so a resumed run draws the same ones."""
        dataset = self.train_dataset
        seed = hash((self.args.seed, self.state.global_step, round_index, self.accelerator.process_index))
        generator = torch.Generator().manual_seed(seed & 0x7FFFFFFF)
        rows = torch.randperm(len(dataset), generator=generator)[:groups].tolist()
        return [dict(dataset[row]) for row in rows for _ in range(self.num_generations)]


def informative(grouped: torch.Tensor, min_std: float) -> list[bool]:
    """Per group (a row of ``grouped``): True when its non-NaN values spread (population std) by more
    than ``min_std``; groups with fewer than two scored completions carry no signal."""
    result = []
    for values in grouped:
        scored = values[~torch.isnan(values)]
        if scored.numel() < 2:
            result.append(False)
            continue
        spread = float(scored.float().std(correction=0))
        result.append(spread > max(min_std, 1e-6))
    return result


def select_group(output: dict[str, Any], group: int, size: int) -> dict[str, Any]:
    """Rows ``group * size`` … of a scored batch (per-row tensors sliced, batch scalars dropped)."""
    rows = output["prompt_ids"].size(0)
    if any(k in output for k in ("pixel_values", "num_images")):
        raise ConfigError(
            "train.dynamic_sampling.enabled=true: groups with image inputs cannot be re-batched across rounds. "
            "Fix: train.dynamic_sampling.enabled=false for vision data"
        )
    picked = slice(group * size, (group + 1) * size)
    return {
        key: value[picked]
        for key, value in output.items()
        if isinstance(value, torch.Tensor) and value.dim() >= 1 and value.size(0) == rows
    }


def mask_completions(group: dict[str, Any]) -> dict[str, Any]:
    """A dropped group kept only to fill a slot: no completion token reaches the loss."""
    masked = dict(group)
    masked["completion_mask"] = torch.zeros_like(group["completion_mask"])
    masked["advantages"] = torch.zeros_like(group["advantages"])
    return masked


def loss_mask(batch: dict[str, Any]) -> torch.Tensor:
    mask = batch["completion_mask"]
    return mask if "tool_mask" not in batch else mask * batch["tool_mask"]


def merge_groups(groups: list[dict[str, Any]], pad_id: int) -> dict[str, Any]:
    """One batch from groups of different rounds: prompts re-padded on the left, per-token tensors on
    the right, per-row values concatenated."""
    merged: dict[str, Any] = {}
    for key in groups[0]:
        values = [group[key] for group in groups]
        if values[0].dim() == 1:
            merged[key] = torch.cat(values)
            continue
        width = max(v.size(1) for v in values)
        fill = pad_id if key.endswith("_ids") else 1 if key == "tool_mask" else 0
        left = key in _PROMPT
        merged[key] = torch.cat([_pad(v, width, fill, left) for v in values])
    return merged


def _pad(value: torch.Tensor, width: int, fill: float, left: bool) -> torch.Tensor:
    missing = width - value.size(1)
    if missing == 0:
        return value
    padding = value.new_full((value.size(0), missing, *value.shape[2:]), fill)
    return torch.cat([padding, value] if left else [value, padding], dim=1)
