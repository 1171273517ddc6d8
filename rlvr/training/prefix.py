"""Prompt once per group: the rows of a micro-batch that share a prompt forward it once.

``train.packing=prefix`` packs a micro-batch as, for each distinct prompt ``p`` (length P) of the rows:

* one *shared* segment ``p[:-1]`` (positions 0 … P-2), attending causally to itself;
* for each row with that prompt, one *completion* segment ``[p[-1], c_1 … c_L]`` (positions P-1 … P-1+L),
  attending to the shared segment and causally to itself.

The prompt's last token is repeated per row because its hidden state predicts each row's own first
completion token (one label per position). Every query token sees exactly the keys it sees in its own
padded row, at the same positions, so log-probs, entropies and gradients equal the unpacked path's (the
prompt's activations receive the gradients of all the rows that attend to them). The attention over
this layout is :func:`rlvr.training.varlen_attention.layout_attention`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PrefixLayout:
    """A packed micro-batch whose segments may attend to other segments' keys."""

    input_ids: torch.Tensor  # (1, tokens)
    position_ids: torch.Tensor  # (1, tokens)
    shift_labels: torch.Tensor  # (1, tokens): next completion token where scored, else -100
    cu_q: torch.Tensor  # (segments + 1,) int32: query segments in packed order
    key_index: torch.Tensor  # (key tokens,) long: packed positions each segment's keys are read from
    cu_k: torch.Tensor  # (segments + 1,) int32
    max_q: int
    max_k: int
    out_rows: torch.Tensor  # scored (row, column) ← packed position, for unpacking
    out_cols: torch.Tensor
    out_positions: torch.Tensor
    rows: int
    logits_to_keep: int


def prefix_layout(input_ids: torch.Tensor, attention_mask: torch.Tensor, logits_to_keep: int) -> PrefixLayout:
    """The prefix layout of TRL's padded ``prompt + completion`` rows (prompt = all but the last
    ``logits_to_keep`` columns, left-padded; completion right-padded)."""
    device = input_ids.device
    prompt_width = input_ids.size(1) - logits_to_keep
    real = attention_mask.bool()
    groups: dict[tuple[int, ...], list[int]] = {}
    ids_cpu, real_cpu = input_ids.cpu(), real.cpu()
    prompts = [
        tuple(ids_cpu[r, :prompt_width][real_cpu[r, :prompt_width]].tolist())
        for r in range(input_ids.size(0))
    ]
    for row, prompt in enumerate(prompts):
        groups.setdefault(prompt, []).append(row)
    tokens: list[torch.Tensor] = []
    positions: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    q_lengths: list[int] = []
    keys: list[torch.Tensor] = []
    k_lengths: list[int] = []
    out_rows: list[int] = []
    out_cols: list[int] = []
    out_positions: list[int] = []
    cursor = 0
    for prompt, rows in groups.items():
        shared = torch.tensor(prompt[:-1], dtype=torch.long)
        shared_keys = torch.arange(cursor, cursor + len(shared))
        if len(shared):
            tokens.append(shared)
            positions.append(torch.arange(len(shared)))
            labels.append(torch.full((len(shared),), -100, dtype=torch.long))
            q_lengths.append(len(shared))
            keys.append(shared_keys)
            k_lengths.append(len(shared))
            cursor += len(shared)
        for row in rows:
            completion = ids_cpu[row, prompt_width:][real_cpu[row, prompt_width:]]
            segment = torch.cat([torch.tensor(prompt[-1:], dtype=torch.long), completion])
            tokens.append(segment)
            positions.append(torch.arange(len(prompt) - 1, len(prompt) - 1 + len(segment)))
            labels.append(torch.cat([completion, torch.tensor([-100])]))
            q_lengths.append(len(segment))
            keys.append(torch.cat([shared_keys, torch.arange(cursor, cursor + len(segment))]))
            k_lengths.append(len(shared) + len(segment))
            out_rows += [row] * len(completion)
            out_cols += list(range(len(completion)))
            out_positions += list(range(cursor, cursor + len(completion)))
            cursor += len(segment)

    def cumulative(lengths: list[int]) -> torch.Tensor:
        return torch.tensor([0, *lengths], dtype=torch.int32).cumsum(0).to(torch.int32).to(device)

    return PrefixLayout(
        input_ids=torch.cat(tokens).unsqueeze(0).to(device),
        position_ids=torch.cat(positions).unsqueeze(0).to(device),
        shift_labels=torch.cat(labels).unsqueeze(0).to(device),
        cu_q=cumulative(q_lengths),
        key_index=torch.cat(keys).to(device),
        cu_k=cumulative(k_lengths),
        max_q=max(q_lengths),
        max_k=max(k_lengths),
        out_rows=torch.tensor(out_rows, dtype=torch.long, device=device),
        out_cols=torch.tensor(out_cols, dtype=torch.long, device=device),
        out_positions=torch.tensor(out_positions, dtype=torch.long, device=device),
        rows=input_ids.size(0),
        logits_to_keep=logits_to_keep,
    )


def unpack_prefix(layout: PrefixLayout, values: torch.Tensor) -> torch.Tensor:
    """Per-token values of the packed sequence back in TRL's ``(rows, logits_to_keep)`` layout."""
    out = values.new_zeros((layout.rows, layout.logits_to_keep))
    out[layout.out_rows, layout.out_cols] = values.reshape(-1)[layout.out_positions]
    return out


def forwarded_tokens(
    prompt_ids: torch.Tensor, prompt_mask: torch.Tensor, completion_mask: torch.Tensor
) -> float:
    """Tokens the prefix layout forwards for a micro-batch: each distinct prompt once (less its last
    token), plus one prompt token and the completion per row."""
    keyed = prompt_ids.masked_fill(prompt_mask == 0, -1)
    unique, inverse = torch.unique(keyed, dim=0, return_inverse=True)
    first = torch.full((unique.size(0),), keyed.size(0), dtype=torch.long, device=keyed.device)
    first.scatter_reduce_(0, inverse, torch.arange(keyed.size(0), device=keyed.device), reduce="amin")
    shared = (prompt_mask[first].sum(dim=1) - 1).clamp(min=0).sum()
    return float(shared + prompt_mask.size(0) + completion_mask.sum())
