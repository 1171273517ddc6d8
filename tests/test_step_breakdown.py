"""benchmarks/step_breakdown.py: per-step phase times that account for the whole optimizer step.

The script's figures go into benchmarks/README.md, so the accounting is tested here on the tiny model:
every phase is measured, the phases add up to the step, and the profiled step's operator table is written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.modes.test_train import tiny_model_overrides

PHASES = ["generate_s", "engine_sync_s", "rewards_s", "score_other_s", "forward_backward_s", "optimizer_s"]


def test_the_phases_add_up_to_each_step(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "breakdown"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "step_breakdown.py"),
        *tiny_model_overrides(tiny_model_dir),
    ]
    command += ["train.max_steps=2", "train.gradient_accumulation_steps=2", "train.rollout.backend=fast"]
    command += ["eval.enabled=false", "observer.console=quiet", f"hydra.run.dir={tmp_path / 'run'}"]
    env = {**os.environ, "STEP_BREAKDOWN_OUT": str(out), "STEP_BREAKDOWN_PROFILE": "2"}
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in (out / "breakdown.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2]
    for row in rows:
        assert row["generate_s"] > 0 and row["engine_sync_s"] > 0 and row["forward_backward_s"] > 0
        assert all(row[p] >= 0 for p in PHASES) and row["other_s"] >= -1e-3
        assert abs(sum(row[p] for p in PHASES) + row["other_s"] - row["step_s"]) < 1e-3
    table = (out / "profile-step-2.txt").read_text()
    assert "by self CPU time" in table and "aten::mm" in table
