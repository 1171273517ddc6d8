"""Two processes, one run: ``accelerate launch`` of the smoke preset on CPU (gloo), as CI runs it.

Both ranks train the same steps and end with the same weights (each prints its step and a digest of its
trainable weights with ``debug=true``); only rank 0 writes: one run dir, one ``metrics.jsonl`` with one
row per step. accelerate's own ``--cpu --num_processes N`` is its MPI path (it needs ``--mpirun_hostfile``
and an MPI install, and without them starts a single process), so the CPU launch is the DDP config
(torch's elastic launcher, as on GPUs) with ``train.use_cpu=true``, which makes the ranks talk over gloo.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.modes.test_train import tiny_model_overrides


def free_port() -> str:
    """A free TCP port for the rendezvous, so a concurrent launch on this machine cannot collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def launch(tmp_path: Path, model_dir: Path, *launcher: str, extra: tuple[str, ...] = ()) -> tuple:
    command = [
        *launcher,
        str(ROOT / "run_pipeline.py"),
        "experiment=smoke",
        *tiny_model_overrides(model_dir),
        "model.eos_token=null",
        "train.max_steps=2",
        "train.use_cpu=true",
        "eval.max_samples=3",  # odd: rank 0 evaluates rows 0 and 2, rank 1 row 1
        "eval.batch_size=2",
        "eval.max_new_tokens=8",
        "eval.periodic_samples=2",
        "observer.plots=false",
        "debug=true",
        *extra,
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "WANDB_MODE": "disabled"}
    env["OMP_NUM_THREADS"] = "1"  # two ranks on a 2-core machine: one thread each
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)
    return result, time.perf_counter() - started


def rank_lines(stderr: str) -> dict[int, tuple[int, str]]:
    """rank → (steps trained, weights digest), from each rank's debug line. Not anchored at the line end:
    both ranks share one stderr, and another rank's progress bar (a carriage return, no newline) can land
    between a line's text and its newline when the stream is unbuffered."""
    found = re.findall(
        r"rlvr:(?: \[rank (\d+)\])? debug: step (\d+), trainable weights sha256 ([0-9a-f]{16})", stderr
    )
    return {int(rank or 0): (int(step), digest) for rank, step, digest in found}


def assert_one_run_written_by_rank_0(run_dir: Path) -> None:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if r["kind"] == "train" and "loss" in r] == [1, 2]  # not one per rank
    assert len([r for r in rows if r["kind"] == "setup"]) == 1
    assert json.loads((run_dir / "status.json").read_text())["status"] == "ok"
    assert (run_dir / "final_model" / "model.safetensors").is_file()
    report = json.loads((run_dir / "eval_report.json").read_text())
    assert report["train"]["global_step"] == 2
    # the ranks shared the evaluation out (rlvr.evaluation.sharding); the records are back in row order
    assert report["after"]["total"] == 3
    after = [json.loads(line) for line in (run_dir / "eval_samples_after.jsonl").read_text().splitlines()]
    before = [json.loads(line) for line in (run_dir / "eval_samples_before.jsonl").read_text().splitlines()]
    assert [r["id"] for r in after] == [r["id"] for r in before] and len(after) == 3


@pytest.mark.slow
def test_accelerate_two_cpu_processes_train_one_run(tmp_path: Path, tiny_model_dir: Path) -> None:
    accelerate = shutil.which("accelerate", path=str(Path(sys.executable).parent)) or "accelerate"
    result, seconds = launch(
        tmp_path,
        tiny_model_dir,
        accelerate,
        "launch",
        "--config_file",
        str(ROOT / "accelerate" / "ddp.yaml"),
        "--num_processes",
        "2",
        "--mixed_precision",
        "no",
        "--main_process_port",
        free_port(),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    ranks = rank_lines(result.stderr)
    assert sorted(ranks) == [0, 1], result.stderr[-3000:]
    assert ranks[0] == ranks[1] and ranks[0][0] == 2  # same steps, identical weights
    assert "[rank 1]" not in result.stdout  # progress comes from rank 0 only
    (run_dir,) = (tmp_path / "outputs").glob("*/*")  # one run dir for the launch
    assert_one_run_written_by_rank_0(run_dir)
    print(f"2-process accelerate run: {seconds:.1f} s")


def torchrun_two_ranks(tmp_path: Path, model_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    """The smoke launch on two CPU ranks through torchrun, with ``extra`` overrides."""
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
    launcher = (torchrun, "--nproc_per_node", "2", "--master_port", free_port())
    return launch(tmp_path, model_dir, *launcher, extra=extra)[0]


@pytest.mark.slow
def test_torchrun_with_an_explicit_run_dir(tmp_path: Path, tiny_model_dir: Path) -> None:
    run_dir = tmp_path / "my-run"
    result = torchrun_two_ranks(tmp_path, tiny_model_dir, f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr[-4000:]
    ranks = rank_lines(result.stderr)
    assert sorted(ranks) == [0, 1] and ranks[0] == ranks[1], result.stderr[-3000:]
    assert not (tmp_path / "outputs").exists()  # rank 1 did not refuse rank 0's dir, nor pick its own
    assert_one_run_written_by_rank_0(run_dir)


@pytest.mark.slow
def test_two_ranks_stay_in_step_with_dynamic_sampling_and_packing(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    """Dynamic sampling decides its refill rounds across ranks (a rank that has enough groups still
    generates while another refills), so every collective lines up and both ranks end each step with the
    same rows; packed forwards on both."""
    run_dir = tmp_path / "run"
    result = torchrun_two_ranks(
        tmp_path,
        tiny_model_dir,
        f"hydra.run.dir={run_dir}",
        "train.dynamic_sampling.enabled=true",
        "train.dynamic_sampling.max_rounds=2",
        "train.packing=padding_free",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    ranks = rank_lines(result.stderr)
    assert sorted(ranks) == [0, 1] and ranks[0] == ranks[1] and ranks[0][0] == 2, result.stderr[-3000:]
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in rows if r["kind"] == "train" and "loss" in r]
    assert [r["step"] for r in steps] == [1, 2]
    assert all("sampling/rounds" in r and "train/tokens_forwarded" in r for r in steps)
    assert all(r["train/pad_fraction"] == 0 for r in steps)  # padding-free: no pad token forwarded
