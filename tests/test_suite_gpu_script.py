"""benchmarks/suite_gpu.sh, run as benchmarks/README.md runs it, on the tiny model and fixture files.

The script is what the "Benchmark suite wall time" figures come from; a GPU call is scarce, so a broken
script must be caught here: both suite runs end, each prints its wall time, and the summaries it prints are
the suite's own (a greedy GSM8K table with lm-eval's strict-match, a mean@16 table for the arithmetic file).
A failing run stops the script with its exit status and the log's tail, not a later missing-file error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

ROWS = [("What is 2 + 3?", "5"), ("What is 7 - 4?", "3"), ("What is 6 * 2?", "12")]


def _write_benchmark_dir(directory: Path) -> Path:
    directory.mkdir()
    with (directory / "test.jsonl").open("w") as out:
        for question, answer in ROWS:
            out.write(json.dumps({"question": question, "answer": f"#### {answer}"}) + "\n")
    return directory


def _run_script(tiny_model_dir: Path, tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess[str]:
    gsm8k = _write_benchmark_dir(tmp_path / "gsm8k")
    arith = _write_benchmark_dir(tmp_path / "arith")
    small = ["eval.max_new_tokens=4", "eval.suite.max_new_tokens=4", "model.eos_token='</s>'", *overrides]
    # the script calls python: this interpreter's
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    command = [
        "bash",
        "benchmarks/suite_gpu.sh",
        str(tiny_model_dir),
        str(gsm8k),
        str(arith),
        str(tmp_path / "out"),
    ]
    return subprocess.run([*command, *small], cwd=ROOT, capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_suite_script_times_both_runs_and_prints_their_summaries(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    done = _run_script(tiny_model_dir, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    walls = re.findall(r"^(.*): wall=(\d+\.\d\d) s$", done.stdout, re.MULTILINE)
    assert [label for label, _ in walls] == [
        "gsm8k_std (GSM8K test, greedy)",
        "arith test, 16 samples each (mean@16)",
    ]
    assert "| GSM8K | 3 | accuracy |" in done.stdout
    assert "strict-match (lm-eval)" in done.stdout
    assert "| arith | 3 | mean@16 |" in done.stdout
    # the per-benchmark seconds line comes from each run's suite_summary.json
    assert len(re.findall(r"^\{'gsm8k': \d+\.?\d*\} suite \d+\.?\d* s$", done.stdout, re.MULTILINE)) == 2
    for run, (label, seconds) in zip(("gsm8k", "arith"), walls, strict=True):
        assert (tmp_path / "out" / f"{run}-suite_summary.md").is_file()
        # the run's log ends with its own wall line (the log is what a timed-out device call returns)
        log = (tmp_path / "out" / f"{run}.log").read_text()
        assert log.rstrip().endswith(f"{label}: wall={seconds} s")


def test_suite_script_stops_at_a_failing_run_with_its_error(tiny_model_dir: Path, tmp_path: Path) -> None:
    done = _run_script(tiny_model_dir, tmp_path, "eval.suite.bogus=1")
    assert done.returncode == 2
    assert "eval.suite.bogus=1: unknown key" in done.stderr
    assert "gsm8k_std (GSM8K test, greedy): wall=" in done.stdout
    assert "arith" not in done.stdout  # the second run never started
    assert not (tmp_path / "out" / "arith").exists()
