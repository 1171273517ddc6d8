"""Evaluation shared out over the ranks of a multi-process launch, so N GPUs evaluate once, N× faster.

Under ``accelerate launch`` / ``torchrun`` with plain data parallelism (DDP), every rank holds the whole
model: rank r evaluates rows r, r+N, r+2N, … and the records are gathered back into row order on every
rank (each computes the same report; only rank 0 writes it, :class:`rlvr.run_dir.RunDir`). With sharded
weights (FSDP, DeepSpeed ZeRO-3) every forward is a collective, so every rank must run the same
generation: no sharding there, nor before the process group exists (a single process, or the evaluation
before the trainer has set the group up).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from rlvr.launch import world_size


def eval_shard() -> tuple[int, int] | None:
    """``(rank, world size)`` when this process evaluates one share of the rows; None when it
    evaluates them all."""
    if world_size() <= 1 or sharded_weights():
        return None
    import torch.distributed as dist

    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() <= 1:
        return None
    return dist.get_rank(), dist.get_world_size()


def sharded_weights() -> bool:
    """Whether accelerate was launched with FSDP or DeepSpeed ZeRO-3 (it exports its config as env vars)."""
    return (
        os.environ.get("ACCELERATE_USE_FSDP", "").lower() in ("1", "true")
        or os.environ.get("ACCELERATE_DEEPSPEED_ZERO_STAGE", "") == "3"
    )


def shared_out(
    work: Callable[[Any, list[int]], list[Any]], rows: Any, shard: tuple[int, int] | None
) -> list[Any]:
    """``work(share, positions)`` on this rank's share of ``rows`` (a ``datasets.Dataset``; positions =
    the share's places in ``rows``); every rank gets all results, in row order. Without ``shard``, the
    work is done on all rows here."""
    if shard is None:
        return work(rows, list(range(len(rows))))
    rank, world = shard
    positions = list(range(rank, len(rows), world))
    return gather_in_order(work(rows.select(positions), positions), world)


def gather_in_order(local: list[Any], world: int) -> list[Any]:
    """Every rank's items, back in row order: rank r held rows r, r+world, … (a collective call)."""
    import torch.distributed as dist

    parts: list[Any] = [None] * world
    dist.all_gather_object(parts, local)
    longest = max(len(part) for part in parts)
    return [part[k] for k in range(longest) for part in parts if k < len(part)]
