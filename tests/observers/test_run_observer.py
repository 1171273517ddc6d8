"""The observer writes metrics.jsonl, prints one aligned line per step, and checks its settings early."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.observers import RunObserver
from rlvr.run_dir import RunDir
from tests.conftest import compose_config

STEP = {
    "loss": 0.5,
    "reward": 0.625,
    "reward_std": 1.25,
    "completions/mean_length": 35.0,
    "completions/clipped_ratio": 0.25,
    "entropy": 1.4,
    "learning_rate": 5e-05,
    "rewards/numeric/mean": 0.5,
    "rewards/format/mean": 0.125,
    "epoch": 0.06,
}


def test_metrics_jsonl_records_every_log_in_order(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    observer = RunObserver(plots=False)
    observer.start(RunDir(tmp_path), {"seed": 1})
    observer.log_metrics({"loss": 0.5, "reward": float("nan"), "rewards/f/mean": 1.0}, step=1)
    observer.log_eval({"tag": "after", "accuracy": 0.25, "samples": [{"x": 1}]}, step=2)
    observer.finish()
    lines = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["step"]) for r in lines] == [("train", 1), ("eval", 2)]
    assert lines[0]["reward"] is None  # NaN is not valid JSON; it is written as null
    assert lines[1]["eval/accuracy"] == 0.25 and "samples" not in json.dumps(lines[1])
    out = capsys.readouterr().out
    assert re.search(r"^rlvr: step 1  loss +0\.5  reward +—", out, re.M)
    assert "rlvr: eval after @ step 2: accuracy=0.25" in out


def test_one_aligned_line_per_step_with_the_total(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    observer = RunObserver(plots=False)
    observer.start(RunDir(tmp_path), {})
    observer.log_metrics({"max_steps": 10, "completions_per_step": 4}, step=0, kind="setup")
    observer.log_metrics(STEP, step=1)
    observer.log_metrics({**STEP, "loss": 0.01234, "reward": 1.0}, step=10)
    observer.log_metrics({"train_runtime": 3.0, "train_loss": 0.2}, step=10)  # HF's end-of-run dict
    observer.finish()
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("rlvr: step")]
    assert lines[0].startswith("rlvr: step  1/10  loss      0.5  reward   0.625  ±   1.25  len     35")
    assert lines[1].startswith("rlvr: step 10/10  loss  0.01234  reward       1")
    assert [x.index("reward") for x in lines] == [lines[0].index("reward")] * 2  # columns align
    assert lines[0].endswith("| numeric 0.5  format 0.125") and len(lines) == 2


@pytest.mark.parametrize(
    ("level", "step_lines", "every_key"),
    [("quiet", 0, False), (False, 0, False), ("normal", 1, False), (True, 1, False), ("verbose", 1, True)],
)
def test_console_levels(
    tmp_path: Path, capsys: pytest.CaptureFixture, level: str | bool, step_lines: int, every_key: bool
) -> None:
    observer = RunObserver(console=level, plots=False)
    observer.start(RunDir(tmp_path), {})
    observer.log_metrics(STEP, step=1)
    observer.finish()
    out = capsys.readouterr().out
    assert len(re.findall(r"^rlvr: step 1", out, re.M)) == step_lines
    assert ("epoch=0.06" in out) is every_key  # verbose shows keys the compact line leaves out
    assert "rlvr: summary:\n  steps" in out  # the final table prints at every level


def test_hf_printing_is_removed_and_the_callback_gets_the_trainer() -> None:
    from transformers.trainer_callback import CallbackHandler, PrinterCallback, ProgressCallback

    from rlvr.observers.callback import observer_callback, quiet_trainer

    class Trainer:
        def __init__(self) -> None:
            self.callback_handler = CallbackHandler(
                [observer_callback(RunObserver()), PrinterCallback, ProgressCallback], None, None, None, None
            )

        def remove_callback(self, callback: object) -> None:
            self.callback_handler.remove_callback(callback)

    trainer = Trainer()
    quiet_trainer(trainer)
    assert [type(c).__name__ for c in trainer.callback_handler.callbacks] == ["ObserverCallback"]
    assert trainer.callback_handler.callbacks[0].trainer is trainer


def test_latest_completions_become_table_rows() -> None:
    from collections import deque

    from rlvr.observers.callback import latest_completions

    class Trainer:
        _logs = {
            "prompt": deque([[{"role": "user", "content": "2+2?"}]]),
            "completion": deque([[{"role": "assistant", "content": "#### 4"}]]),
            "rewards": {"numeric": deque([2.0])},
            "advantages": deque([0.5]),
        }

    assert latest_completions(Trainer()) == [
        {"prompt": "user: 2+2?", "completion": "assistant: #### 4", "numeric": 2.0, "advantage": 0.5}
    ]


def test_bad_observer_settings_are_config_errors() -> None:
    with pytest.raises(ConfigValidationError) as info:
        validate_config(
            compose_config(
                [
                    "observer.wandb.mode=sometimes",
                    "observer.wandb.projct=x",
                    "observer.wandb.enabled=true",
                    "observer.backends=[wandb,mlflow]",
                    "observer.alarms.clipped_ratioo=0.3",
                    "observer.console=loud",
                ]
            )
        )
    message = str(info.value)
    assert "observer.wandb.mode='sometimes': unknown W&B mode" in message
    assert "observer.wandb.projct='x': unknown wandb setting. Fix: use one of project, entity" in message
    assert (
        "observer.wandb.enabled=True: unknown wandb setting. Fix: list it instead: observer.backends=[wandb]"
        in (message)
    )
    assert (
        "observer.backends='mlflow': unknown observer backend. Fix: use ['wandb', 'tensorboard']" in message
    )
    assert "observer.alarms.clipped_ratioo=0.3: unknown alarms setting" in message
    assert "observer.console='loud'" in message


def test_default_config_is_valid_with_both_backends() -> None:
    validate_config(compose_config(["observer.backends=[wandb,tensorboard]", "observer.console=quiet"]))
