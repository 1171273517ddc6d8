"""The in-training eval's bookkeeping without a trainer: best-step rule, saving, adopted points."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasets import Dataset

from rlvr.evaluation.greedy import GreedyAccuracy
from rlvr.evaluation.periodic import PeriodicState
from rlvr.run_dir import RunDir


class Recorder:
    """An observer that keeps what it is given."""

    def __init__(self) -> None:
        self.evals: list[tuple[int, dict[str, Any]]] = []

    def log_eval(self, report: dict[str, Any], step: int) -> None:
        self.evals.append((step, report))


def _state(tmp_path: Path, saved: list[str], **keys: Any) -> tuple[PeriodicState, Recorder]:
    rows = Dataset.from_list([{"prompt": f"q{i}", "answer": str(i)} for i in range(2)])
    evaluator = GreedyAccuracy(judge="numeric", every_n_steps=1, periodic_samples=2, **keys)
    observer = Recorder()
    state = PeriodicState(evaluator, None, rows, None, observer, RunDir(tmp_path), None, saved.append)  # type: ignore[arg-type]
    return state, observer


def _samples(*correct: bool) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "question": None,
            "answer": str(i),
            "completion": f"#### {i if right else -1}",
            "extracted": str(i if right else -1),
            "correct": right,
            "completion_tokens": 3,
            "truncated": False,
            "format_ok": True,
            "sampled_correct": 1,
        }
        for i, right in enumerate(correct)
    ]


def test_best_step_is_strictly_better_and_saved_when_asked(tmp_path: Path) -> None:
    saved: list[str] = []
    state, observer = _state(tmp_path, saved, best_model="best")
    for step, flags in [(0, (False, False)), (1, (True, False)), (2, (False, True)), (3, (True, True))]:
        state.adopt(step, _samples(*flags))
    assert state.summary()["best"] == {
        "step": 3,
        "metric": "accuracy",
        "value": 1.0,
        "saved_to": str(tmp_path / "best_model"),
    }
    assert saved == [str(tmp_path / "best_model")] * 3  # at steps 0, 1 and 3; step 2 only ties step 1
    assert [step for step, _ in observer.evals] == [0, 1, 2, 3]
    assert {r["tag"] for _, r in observer.evals} == {"periodic"}
    assert [p["accuracy"] for p in state.summary()["points"]] == [0.0, 0.5, 0.5, 1.0]


def test_best_model_final_reports_the_step_without_saving(tmp_path: Path) -> None:
    saved: list[str] = []
    state, _ = _state(tmp_path, saved, metric_for_best="format_rate")
    state.adopt(0, _samples(False, False))
    state.adopt(1, _samples(True, True))
    assert state.summary()["best"] == {"step": 0, "metric": "format_rate", "value": 1.0}  # a tie: earlier
    assert saved == []


def test_an_adopted_point_writes_the_step_table_without_sampled_columns(tmp_path: Path) -> None:
    state, _ = _state(tmp_path, [])
    state.adopt(0, _samples(True, False, True))  # a before-eval of 3 rows: the subset is its first 2
    state.adopt(0, _samples(False, False))  # one point per step
    rows = [json.loads(line) for line in (tmp_path / "eval_samples_step0.jsonl").read_text().splitlines()]
    assert [r["correct"] for r in rows] == [True, False]
    assert "sampled_correct" not in rows[0] and state.summary()["seconds"] == 0.0
    assert state.defers_last_step()  # after_training is on: that evaluation provides the last point
