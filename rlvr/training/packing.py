"""Which tokens the training forward sees: trimmed micro-batches, packed rows, token-budget micro-batches.

TRL 1.16 pads every micro-batch to the longest prompt and completion of the whole generation batch and
forwards each row at that width. These functions work on TRL's own micro-batch dicts (``prompt_ids``,
``prompt_mask``, ``completion_ids``, ``completion_mask`` and the per-token tensors that go with them) and
on the ``(input_ids, attention_mask, logits_to_keep)`` triple TRL hands to
``_get_per_token_logps_and_entropies``, so the loss itself stays TRL's:

* :func:`trim_micro_batch` drops all-pad columns; masked positions never reach the loss, so the loss and
  every gradient are those of the untrimmed batch.
* :func:`pack_rows` / :func:`unpack_per_token` turn padded rows into one sequence of real tokens (position
  ids restart per row, next-token labels pre-shifted so no label crosses a row boundary) and scatter the
  per-token results back to TRL's ``(rows, completion width)`` layout.
* :func:`token_budget_chunks` groups rows into micro-batches of at most a token budget.

Everything here is plain tensor indexing, tested on CPU against the padded path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

#: Per-token tensors of a TRL micro-batch that have the completion's width.
COMPLETION_KEYS = (
    "completion_ids",
    "completion_mask",
    "old_per_token_logps",
    "ref_per_token_logps",
    "sampling_per_token_logps",
    "importance_sampling_ratio",
    "tool_mask",
)
PROMPT_KEYS = ("prompt_ids", "prompt_mask")
#: Keys whose presence means the rows carry images: those keep TRL's own forward.
MULTIMODAL_KEYS = (
    "pixel_values",
    "image_grid_thw",
    "pixel_attention_mask",
    "spatial_shapes",
    "image_sizes",
    "token_type_ids",
    "mm_token_type_ids",
    "image_position_ids",
    "num_images",
)


def trim_micro_batch(inputs: dict[str, Any]) -> dict[str, Any]:
    """``inputs`` without the prompt columns left of its longest prompt and the completion columns
    right of its longest completion (at least one completion column is kept, as TRL expects)."""
    prompt_mask, completion_mask = inputs["prompt_mask"], inputs["completion_mask"]
    used = prompt_mask.bool().any(dim=0)
    start = int(used.int().argmax()) if bool(used.any()) else prompt_mask.size(1)
    filled = completion_mask.bool().any(dim=0)
    end = max(int(filled.nonzero().max()) + 1 if bool(filled.any()) else 1, 1)
    if start == 0 and end == completion_mask.size(1):
        return inputs
    trimmed = dict(inputs)
    width = completion_mask.size(1)
    for key in COMPLETION_KEYS:
        value = inputs.get(key)
        if isinstance(value, torch.Tensor) and value.dim() == 2 and value.size(1) == width:
            trimmed[key] = value[:, :end]
    for key in PROMPT_KEYS:
        trimmed[key] = inputs[key][:, start:]
    return trimmed


@dataclass(frozen=True)
class PackedRows:
    """Rows packed into one sequence: what the model sees and how to read its output back."""

    input_ids: torch.Tensor  # (1, tokens)
    position_ids: torch.Tensor  # (1, tokens), restarting at 0 for every row
    shift_labels: torch.Tensor  # (1, tokens): the next token of the same row where it is scored, else -100
    real: torch.Tensor  # (rows, width) bool: which padded positions are real tokens
    lengths: torch.Tensor  # (rows,) real tokens per row
    logits_to_keep: int

    @property
    def cu_seqlens(self) -> torch.Tensor:
        """Row boundaries as cumulative lengths (int32, leading 0), as varlen attention takes them."""
        zero = torch.zeros(1, dtype=torch.int32, device=self.lengths.device)
        return torch.cat([zero, self.lengths.cumsum(0).to(torch.int32)])

    @property
    def max_length(self) -> int:
        return int(self.lengths.max()) if self.lengths.numel() else 0


def pack_rows(input_ids: torch.Tensor, attention_mask: torch.Tensor, logits_to_keep: int) -> PackedRows:
    """Pack TRL's padded ``prompt + completion`` rows. Real tokens must be contiguous in each row (left-padded
    prompt, right-padded completion), which is how TRL builds them; scored positions are TRL's: the
    last ``logits_to_keep`` columns, real tokens only."""
    real = attention_mask.bool()
    labels = input_ids.masked_fill(~real, -100)
    labels[:, : labels.size(1) - logits_to_keep] = -100
    # Position t is scored against the token at t + 1 of the same row: shift inside each padded row.
    shifted = torch.full_like(labels, -100)
    shifted[:, :-1] = labels[:, 1:]
    positions = real.long().cumsum(dim=1) - 1
    return PackedRows(
        input_ids=input_ids[real].unsqueeze(0),
        position_ids=positions[real].unsqueeze(0),
        shift_labels=shifted[real].unsqueeze(0),
        real=real,
        lengths=real.sum(dim=1),
        logits_to_keep=logits_to_keep,
    )


def unpack_per_token(packed: PackedRows, values: torch.Tensor) -> torch.Tensor:
    """Per-token values of the packed sequence, ``(1, tokens)``, back in TRL's ``(rows, logits_to_keep)``
    completion layout: column j holds the value for completion token j (zeros where nothing was scored)."""
    rows, width = packed.real.shape
    scored = (packed.shift_labels != -100).reshape(-1)
    flat = values.reshape(-1).masked_fill(~scored, 0)
    full = values.new_zeros((rows, width)).masked_scatter(packed.real, flat)
    # Position t predicts token t + 1, so the completion tokens' values sit one column to the left.
    return full[:, width - packed.logits_to_keep - 1 : width - 1]


def row_tokens(inputs: dict[str, Any]) -> torch.Tensor:
    """Real tokens (prompt + completion) of each row of a TRL micro-batch."""
    return inputs["prompt_mask"].sum(dim=1) + inputs["completion_mask"].sum(dim=1)


def token_budget_chunks(inputs: dict[str, Any], budget: int, path: str) -> list[dict[str, Any]]:
    """Split a micro-batch into micro-batches of at most ``budget`` tokens, filled greedily longest first.
    A chunk costs its real tokens (``padding_free``), rows x longest row (padded paths), or what the
    prefix layout forwards (``prefix``: whole prompt groups are the items, so a group's rows share their
    prompt in one chunk). An item longer than the budget goes alone. Only for losses normalised over the
    whole batch, where grouping does not change the gradient (:mod:`rlvr.training.step_settings`)."""
    lengths = row_tokens(inputs)
    if (
        path == "prefix"
    ):  # shared prompt (less its last token) once, then one prompt token + completion per row
        items = prompt_groups(inputs)
        prompt, completion = inputs["prompt_mask"].sum(dim=1), inputs["completion_mask"].sum(dim=1)
        sizes = [int(prompt[rows[0]]) - 1 + sum(1 + int(completion[r]) for r in rows) for rows in items]
    else:
        items = [[row] for row in range(lengths.numel())]
        sizes = [int(length) for length in lengths]
    order = sorted(range(len(items)), key=lambda i: -sizes[i])
    chunks: list[list[int]] = []
    cost, longest, count = 0, 0, 0
    for item in order:
        size = sizes[item]
        packed = path in ("padding_free", "prefix")
        new_cost = cost + size if packed else (count + 1) * max(longest, size)
        if chunks and new_cost <= budget:
            chunks[-1] += items[item]
            cost, longest, count = new_cost, max(longest, size), count + 1
        else:
            chunks.append(list(items[item]))
            cost, longest, count = size, size, 1
    return [select_rows(inputs, rows) for rows in chunks]


def prompt_groups(inputs: dict[str, Any]) -> list[list[int]]:
    """Row indices grouped by identical prompt, in order of first appearance."""
    keyed = inputs["prompt_ids"].masked_fill(inputs["prompt_mask"] == 0, -1)
    _, inverse = torch.unique(keyed, dim=0, return_inverse=True)
    groups: dict[int, list[int]] = {}
    for row, key in enumerate(inverse.tolist()):
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def regroup_by_prompt(micro_batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """TRL's shuffled micro-batches re-split so the rows of a prompt group sit together (groups in the
    order their first row came, so the order stays random). For the prefix layout, which forwards a
    prompt once per micro-batch it appears in."""
    first = micro_batches[0]
    merged = {
        key: torch.cat([mb[key] for mb in micro_batches]) if _per_row(value, first) else value
        for key, value in first.items()
    }
    order = [row for group in prompt_groups(merged) for row in group]
    merged = select_rows(merged, order)
    size = merged["prompt_ids"].size(0) // len(micro_batches)
    return [select_rows(merged, list(range(i * size, (i + 1) * size))) for i in range(len(micro_batches))]


def _per_row(value: Any, batch: dict[str, Any]) -> bool:
    rows = batch["prompt_ids"].size(0)
    return isinstance(value, torch.Tensor) and value.dim() >= 1 and value.size(0) == rows


def select_rows(inputs: dict[str, Any], rows: list[int]) -> dict[str, Any]:
    """The rows ``rows`` of a TRL micro-batch (tensors indexed on their first dimension, scalars kept)."""
    count = inputs["prompt_ids"].size(0)
    index = torch.tensor(rows, device=inputs["prompt_ids"].device)
    return {
        key: value.index_select(0, index)
        if isinstance(value, torch.Tensor) and value.dim() >= 1 and value.size(0) == count
        else value
        for key, value in inputs.items()
    }
