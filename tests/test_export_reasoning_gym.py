"""benchmarks/export_reasoning_gym.py: a reasoning-gym task as GSM8K-style files the default rewards score."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rlvr.answers import is_correct
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("reasoning_gym") is None, reason="needs the optional reasoning-gym extra"
)
SCRIPT = ROOT / "benchmarks" / "export_reasoning_gym.py"
ADDITION = {"min_terms": 2, "max_terms": 2, "min_digits": 1, "max_digits": 2, "operators": ["+"]}


def export(out: Path, config: dict, train: int, test: int) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), str(out), "--config", json.dumps(config)]
    command += ["--train", str(train), "--test", str(test)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def test_distinct_questions_with_gsm8k_answers(tmp_path: Path) -> None:
    config = {**ADDITION, "allow_parentheses": False, "allow_negation": False}
    done = export(tmp_path, config, 200, 50)
    assert done.returncode == 0, done.stderr
    train, test = ([json.loads(line) for line in (tmp_path / f"{n}.jsonl").open()] for n in ("train", "test"))
    assert (len(train), len(test)) == (200, 50)
    questions = [r["question"] for r in train + test]
    assert len(set(questions)) == 250  # no repeats, so no test question is a train question
    for row in train[:20]:
        first, second = (int(n) for n in row["question"].removeprefix("Calculate ").rstrip(".").split(" + "))
        assert is_correct(f"#### {first + second}", row["answer"].removeprefix("#### "))


def test_a_task_space_too_small_for_the_split_is_refused(tmp_path: Path) -> None:
    config = {**ADDITION, "max_digits": 1, "allow_parentheses": False, "allow_negation": False}
    done = export(tmp_path, config, 400, 100)
    assert done.returncode == 1 and "distinct questions" in done.stderr and "max_digits" in done.stderr
    assert not (tmp_path / "train.jsonl").exists()
