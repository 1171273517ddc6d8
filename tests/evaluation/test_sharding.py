"""Evaluation shared out over DDP ranks: each rank evaluates its share, every rank gets all rows in order.

Two real processes with a gloo process group on CPU (no GPU needed): the rows are split r, r+N, …, each
row is evaluated exactly once, and the gathered records come back in row order on both ranks.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from rlvr.evaluation.sharding import eval_shard, sharded_weights, shared_out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rank_main(rank: int, world: int, port: int, out: str) -> None:
    import torch.distributed as dist
    from datasets import Dataset

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        rows = Dataset.from_list([{"question": f"q{i}"} for i in range(5)])
        shard = eval_shard()
        done = []

        def work(share, positions):
            done.extend(positions)
            return [
                {"position": p, "question": q, "by": rank}
                for p, q in zip(positions, share["question"], strict=True)
            ]

        merged = shared_out(work, rows, shard)
        Path(out, f"rank{rank}.json").write_text(json.dumps({"shard": shard, "done": done, "merged": merged}))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_two_ranks_share_the_rows_and_gather_them_in_order(tmp_path: Path) -> None:
    import torch.multiprocessing as mp

    mp.spawn(_rank_main, args=(2, _free_port(), str(tmp_path)), nprocs=2, join=True)
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["shard"] for r in results] == [[0, 2], [1, 2]]
    assert [r["done"] for r in results] == [[0, 2, 4], [1, 3]]  # each row evaluated once
    for result in results:
        assert [m["position"] for m in result["merged"]] == [0, 1, 2, 3, 4]
        assert [m["question"] for m in result["merged"]] == [f"q{i}" for i in range(5)]
        assert [m["by"] for m in result["merged"]] == [0, 1, 0, 1, 0]


def test_one_process_evaluates_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    from datasets import Dataset

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert eval_shard() is None
    rows = Dataset.from_list([{"x": i} for i in range(3)])
    assert shared_out(lambda share, positions: list(zip(positions, share["x"], strict=True)), rows, None) == [
        (0, 0),
        (1, 1),
        (2, 2),
    ]


@pytest.mark.parametrize(
    ("env", "sharded"),
    [
        ({}, False),
        ({"ACCELERATE_USE_FSDP": "true"}, True),
        ({"ACCELERATE_DEEPSPEED_ZERO_STAGE": "3"}, True),
        ({"ACCELERATE_DEEPSPEED_ZERO_STAGE": "2"}, False),
    ],
)
def test_sharded_weights_keep_every_rank_on_every_row(monkeypatch: pytest.MonkeyPatch, env, sharded) -> None:
    """FSDP / ZeRO-3 forwards are collective: every rank must run the same generation, so no sharing."""
    for key in ("ACCELERATE_USE_FSDP", "ACCELERATE_DEEPSPEED_ZERO_STAGE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert sharded_weights() is sharded
    monkeypatch.setenv("WORLD_SIZE", "2")
    if sharded:
        assert eval_shard() is None
