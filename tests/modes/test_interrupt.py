"""A real SIGTERM during `python run_pipeline.py` training: checkpoint, report, one line with the resume
command; running that command finishes the run with the same per-step rewards as an uninterrupted run."""

from __future__ import annotations

import json
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.modes.test_train import tiny_model_overrides

ROOT = Path(__file__).resolve().parents[2]
STEPS = 6


def cli_args(model_dir: Path) -> list[str]:
    return [
        *tiny_model_overrides(model_dir),
        f"train.max_steps={STEPS}",
        "eval.enabled=false",
        "reward.reward_functions=[{_target_: tests.scorers_for_tests.digit_share}]",  # varies on random text
    ]


def rewards_by_step(run_dir: Path) -> dict[int, float]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    steps = [r["step"] for r in records if r.get("kind") == "train" and "reward" in r]
    assert len(steps) == len(set(steps)), "a step was logged twice"
    return {r["step"]: r["reward"] for r in records if r.get("kind") == "train" and "reward" in r}


@pytest.mark.slow
def test_sigterm_saves_and_the_printed_command_resumes(tiny_model_dir: Path, tmp_path: Path) -> None:
    straight_dir = tmp_path / "straight"
    command = [sys.executable, str(ROOT / "run_pipeline.py"), *cli_args(tiny_model_dir)]
    done = subprocess.run(
        [*command, f"hydra.run.dir={straight_dir}"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]

    run_dir = tmp_path / "interrupted"
    process = subprocess.Popen(
        [*command, f"hydra.run.dir={run_dir}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:  # wait for the first logged step, then signal
        if line.startswith("rlvr: step 1/"):
            process.send_signal(signal.SIGTERM)
            break
    _, stderr = process.communicate()
    assert process.returncode == 143, stderr[-2000:]
    message = next(
        line for line in stderr.splitlines() if line.startswith("rlvr: SIGTERM: stopped after step")
    )
    assert "Traceback" not in stderr
    stopped = int(message.split("after step ")[1].split()[0])
    assert 1 <= stopped < STEPS
    report = json.loads((run_dir / "eval_report.json").read_text())
    assert report["interrupted"] == {"signal": "SIGTERM", "step": stopped}
    assert (run_dir / "checkpoints" / f"checkpoint-{stopped}" / "trainer_state.json").is_file()

    resume = shlex.split(message.split("Resume: ", 1)[1])
    assert resume[:2] == ["python", "run_pipeline.py"] and "train.resume_from_checkpoint=auto" in resume
    finished = subprocess.run(
        [sys.executable, str(ROOT / "run_pipeline.py"), *resume[2:]], cwd=ROOT, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert json.loads((run_dir / "eval_report.json").read_text())["train"]["global_step"] == STEPS
    assert rewards_by_step(run_dir) == pytest.approx(rewards_by_step(straight_dir), rel=1e-5)
