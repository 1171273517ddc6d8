"""The observer writes metrics.jsonl, prints compact lines, and mirrors to W&B exactly what it logs."""

from __future__ import annotations

import json
import math
import sys
import types
from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.observers import RunObserver
from rlvr.run_dir import RunDir
from tests.conftest import compose_config


class FakeRun:
    def __init__(self, **settings: object) -> None:
        self.settings, self.logged, self.summary, self.finished = settings, [], {}, False

    def log(self, metrics: dict, step: int) -> None:
        self.logged.append((step, metrics))

    def finish(self) -> None:
        self.finished = True


@pytest.fixture
def fake_wandb(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    runs: list[FakeRun] = []
    module = types.SimpleNamespace(init=lambda **kw: runs.append(FakeRun(**kw)) or runs[-1], runs=runs)
    monkeypatch.setitem(sys.modules, "wandb", module)
    return module


def test_metrics_jsonl_records_every_log_in_order(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    observer = RunObserver()
    observer.start(RunDir(tmp_path), {"seed": 1})
    observer.log_metrics({"loss": 0.5, "reward": float("nan"), "rewards/f/mean": 1.0}, step=1)
    observer.log_eval({"tag": "after", "accuracy": 0.25, "samples": [{"x": 1}]}, step=2)
    observer.finish()
    lines = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["step"]) for r in lines] == [("train", 1), ("eval", 2)]
    assert lines[0]["reward"] is None  # NaN is not valid JSON; it is written as null
    assert lines[1]["eval/accuracy"] == 0.25 and "samples" not in json.dumps(lines[1])
    assert "rlvr: train step 1: loss=0.5" in capsys.readouterr().out


def test_wandb_receives_settings_config_metrics_and_summary(tmp_path: Path, fake_wandb) -> None:
    settings = {
        "enabled": True,
        "project": "p",
        "entity": "e",
        "name": "n",
        "group": "sweep-1",
        "tags": ["a"],
        "mode": "offline",
    }
    observer = RunObserver(console=False, wandb=settings)
    observer.start(RunDir(tmp_path), {"train": {"max_steps": 2}})
    observer.log_metrics({"loss": 0.5, "note": "text"}, step=1)
    observer.log_eval({"tag": "before", "accuracy": 0.1, "samples": []}, step=0)
    observer.finish({"eval/after/accuracy": 0.3})
    run = fake_wandb.runs[0]
    assert run.settings == {
        "project": "p",
        "entity": "e",
        "name": "n",
        "group": "sweep-1",
        "tags": ["a"],
        "mode": "offline",
        "config": {"train": {"max_steps": 2}},
        "dir": str(tmp_path),
    }
    assert run.logged[0] == (1, {"loss": 0.5})  # non-numeric values are not sent
    assert run.logged[1][1]["eval/accuracy"] == 0.1 and run.summary == {"eval/after/accuracy": 0.3}
    assert run.finished and not math.isnan(run.logged[0][1]["loss"])


def test_bad_wandb_settings_are_config_errors() -> None:
    with pytest.raises(ConfigValidationError) as info:
        validate_config(compose_config(["observer.wandb.mode=sometimes", "observer.wandb.projct=x"]))
    message = str(info.value)
    assert "observer.wandb.mode='sometimes': unknown W&B mode" in message
    assert "observer.wandb.projct='x': unknown W&B setting" in message
