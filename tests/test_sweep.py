"""A sweep (-m) runs every job, records failed ones without stopping, and ends with a summary table."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = "pkg://rlvr/data/builtin/sample_completions.jsonl"


def sweep(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``python run_pipeline.py -m <args>`` in ``cwd``."""
    command = [sys.executable, str(ROOT / "run_pipeline.py"), "-m", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def test_sweep_goes_on_past_a_failed_job_and_summarises(tmp_path: Path) -> None:
    result = sweep(
        tmp_path,
        "mode=score",
        f"input={SAMPLES},{tmp_path / 'absent.jsonl'}",
        "reward.reward_functions[0].params.correct_reward=1.0,5.0",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "rlvr: sweep: 4 jobs, 2 not ok" in result.stdout
    (summary,) = (tmp_path / "multirun").glob("*/*/sweep_summary.csv")
    rows = list(csv.DictReader(summary.open()))
    assert [(r["job"], r["status"]) for r in rows] == [
        ("0", "ok"),
        ("1", "ok"),
        ("2", "failed"),
        ("3", "failed"),
    ]
    assert "correct_reward=5.0" in rows[1]["overrides"] and "absent.jsonl does not exist" in rows[2]["error"]
    assert (summary.parent / "sweep_summary.md").read_text().count("\n| ") == 4
    scores = summary.parent / "1" / "scores.jsonl"  # each job ran in its own dir with its own settings
    assert max(json.loads(line)["numeric_correctness"] for line in scores.read_text().splitlines()) == 5.0
    assert json.loads((summary.parent / "0" / "status.json").read_text())["status"] == "ok"


def test_sweep_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    result = sweep(
        tmp_path, "mode=score", f"input={tmp_path / 'absent.jsonl'},{SAMPLES}", "sweep_fail_fast=true"
    )
    assert result.returncode == 2
    assert not list((tmp_path / "multirun").glob("*/*/1"))  # the second job never ran


def test_a_sweep_over_tasks_gives_each_job_its_tasks_rewards(tmp_path: Path) -> None:
    result = sweep(tmp_path, "data_component=smoke_math,finqa", "mode=score", f"input={SAMPLES}")
    assert result.returncode == 0, result.stderr[-2000:]
    (sweep_dir,) = (tmp_path / "multirun").glob("*/*")
    first, second = (
        json.loads((sweep_dir / job / "scores.jsonl").read_text().splitlines()[0]) for job in ("0", "1")
    )
    assert "numeric_correctness" in first and "finqa_correctness" not in first  # smoke_math: GSM8K rewards
    assert "finqa_correctness" in second and "numeric_correctness" not in second  # finqa: FinQA's verifier
