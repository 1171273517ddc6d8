"""benchmarks/reward_throughput.py: every reward preset scores its synthetic completions through
``mode=score``'s path and reports completions per second (behaviour only: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.reward_throughput import PRESETS, main, synthetic_records
from tests.conftest import ROOT

MEASURED = ["gsm8k", "finqa", "math_symbolic", "think_format"]


def test_each_preset_prints_its_throughput_and_mean_reward() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "reward_throughput.py"), "--n", "64", "--json"]
    command += ["--presets", ",".join(MEASURED)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [row["preset"] for row in rows] == MEASURED
    for row in rows:
        assert row["completions"] == 64 and row["completions_per_s"] > 0 and row["seconds"] > 0
        # Correctness (2.0) plus format (0.5) at most; some completions are right, some wrong.
        assert 0.0 < row["mean_reward"] < 2.5, row


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "reasoning_gym"])
def test_synthetic_records_are_fixed_by_the_seed_and_carry_the_gold(preset: str) -> None:
    records = synthetic_records(preset, 40)
    assert records == synthetic_records(preset, 40)  # two checkouts are compared on the same inputs
    assert records != synthetic_records(preset, 40, seed=1)
    assert all(set(record) == {"completion", "answer"} and record["completion"] for record in records)
    # The mix holds answers in the asked format and answers outside it (the fallbacks are measured too).
    assert len({record["completion"].splitlines()[-1][:6] for record in records}) > 3


def test_an_unknown_preset_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--presets", "gsm8kk", "--n", "1"])
    assert exit_info.value.code == 2
    assert "unknown preset 'gsm8kk'" in capsys.readouterr().err
