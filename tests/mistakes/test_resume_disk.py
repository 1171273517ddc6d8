"""Catalogue: resuming from damaged or mismatched checkpoints, and a full disk (a real file-size
limit), each compared on the whole printed line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.mistakes.cli import OFFLINE, ROOT, SCRIPT, file_size_limit, run_until, tiny_args

# (mistake, what is done to checkpoint-2 of a two-step LoRA run, extra overrides of the resumed run,
#  exit status, the whole line: {checkpoint} is checkpoint-2's path)
RESUME_LINES = [
    (
        "resume from a checkpoint without optimizer.pt",
        "rm optimizer.pt",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (no optimizer.pt): resuming from checkpoint-1, the newest "
        "complete checkpoint",
    ),
    (
        "resume from a truncated adapter",
        "cut adapter_model.safetensors",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (adapter_model.safetensors is truncated or corrupt): "
        "resuming from checkpoint-1, the newest complete checkpoint",
    ),
    (
        "resume from a truncated trainer state",
        "cut trainer_state.json",
        [],
        0,
        "rlvr: warning: checkpoint-2 is incomplete (trainer_state.json is unreadable (truncated?)): resuming "
        "from checkpoint-1, the newest complete checkpoint",
    ),
    (
        "resume with another LoRA rank",
        "",
        ["model.lora.r=8"],
        2,
        "rlvr: train.resume_from_checkpoint: the config differs from the checkpoint {checkpoint}: "
        "model.lora.r 4 → 8 (checkpoint → this run). Fix: resume with the checkpoint's values "
        "(model.lora.r=4), or train in a new run dir",
    ),
]


@pytest.fixture(scope="module")
def checkpointed_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-step LoRA run (r=4) with a checkpoint after each step."""
    run_dir = tmp_path_factory.mktemp("checkpointed") / "run"
    result = run_until(resume_args(tiny_model_dir, run_dir, "train.max_steps=2"), None)
    assert result.returncode == 0, result.stderr[-3000:]
    return run_dir


def resume_args(model_dir: Path, run_dir: Path, *extra: str) -> list[str]:
    lora = ["model.lora.enabled=true", "model.lora.r=4", "train.save_strategy=steps", "train.save_steps=1"]
    return tiny_args(model_dir, run_dir, "eval.enabled=false", *lora, *extra)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "damage", "extra", "code", "line"), RESUME_LINES, ids=[c[0] for c in RESUME_LINES]
)
def test_resume_mistake_line(
    mistake: str,
    damage: str,
    extra: list[str],
    code: int,
    line: str,
    checkpointed_run: Path,
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(checkpointed_run, run_dir)
    checkpoint = run_dir / "checkpoints" / "checkpoint-2"
    if damage:
        verb, name = damage.split()
        if verb == "rm":
            (checkpoint / name).unlink()
        else:
            data = (checkpoint / name).read_bytes()
            (checkpoint / name).write_bytes(data[: len(data) // 2])
    args = resume_args(
        tiny_model_dir, run_dir, "train.max_steps=3", "train.resume_from_checkpoint=auto", *extra
    )
    result = run_until(args, None)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    assert line.format(checkpoint=checkpoint) in output.splitlines() and "Traceback" not in output, output[
        -3000:
    ]
    status = json.loads((run_dir / "status.json").read_text())
    assert status["status"] == (
        "ok" if code == 0 else "failed"
    )  # never the earlier run's "ok" beside a failure
    if code == 0:  # continued from step 1: steps 2 and 3 were trained again
        assert json.loads((run_dir / "eval_report.json").read_text())["train"]["resumed_from"].endswith(
            "checkpoint-1"
        )


# (mistake, file-size limit in bytes, extra overrides, the whole line: {run_dir}; {free} is the measured
#  free space). A file-size limit (RLIMIT_FSIZE) makes writers fail as a full disk does, for real.
DISK_FULL_LINES = [
    (
        "disk full at a checkpoint",
        30_000,  # the LoRA adapter (12 kB) fits, the optimizer state (40 kB) does not
        ["train.max_steps=2", "train.save_strategy=steps", "train.save_steps=1"],
        "rlvr: could not write {run_dir}/checkpoints/checkpoint-1 (RuntimeError: basic_ios::clear: iostream "
        "error; {free}): it is incomplete and a resume skips it; no complete checkpoint yet. Already on disk "
        "in {run_dir}: checkpoints, manifest.json, metrics.jsonl, resolved_config.yaml, run_pipeline.log, "
        "status.json. Fix: free space or lift the limit, then remove {run_dir}/checkpoints and re-run",
    ),
    (
        "disk full at the final save",
        10_000,  # the adapter does not fit
        ["train.max_steps=1", "train.save_strategy=no"],
        "rlvr: could not write {run_dir}/final_model (SafetensorError: Error while serializing: I/O error: File "
        "too large (os error 27); {free}). Already on disk in {run_dir}: checkpoints, eval_report.json, "
        "manifest.json, metrics.jsonl, resolved_config.yaml, run_pipeline.log, status.json. Fix: free space "
        "or choose another hydra.run.dir, then resume with train.resume_from_checkpoint=auto (checkpoints) or "
        "re-run",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "limit", "extra", "line"), DISK_FULL_LINES, ids=[c[0] for c in DISK_FULL_LINES]
)
def test_disk_full_line(
    mistake: str, limit: int, extra: list[str], line: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    import re

    run_dir = tmp_path / "run"
    lora = ["eval.enabled=false", "model.lora.enabled=true", "model.lora.r=4"]
    args = tiny_args(tiny_model_dir, run_dir, *lora, *extra)
    result = subprocess.run(
        [sys.executable, SCRIPT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=OFFLINE,
        preexec_fn=file_size_limit(limit),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 7, output[-3000:]
    lines = [re.sub(r"\d+\.\d\d GiB free there", "{free}", x) for x in output.splitlines()]
    assert line.format(run_dir=run_dir, free="{free}") in lines and "Traceback" not in output, output[-3000:]
    status = json.loads((run_dir / "status.json").read_text())
    assert (status["status"], status["exit_code"]) == ("failed", 7)
    assert not list(run_dir.rglob(".*.tmp"))  # no half-written temporary file
