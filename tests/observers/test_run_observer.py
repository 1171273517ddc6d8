"""The observer writes metrics.jsonl, prints one aligned line per step, and checks its settings early."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.observers import RunObserver
from rlvr.observers.sink_nodes import default_sinks
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
    observer = RunObserver(
        sinks={**default_sinks(), "console": {**default_sinks()["console"], "level": level}}, plots=False
    )
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
    """Each sink node is checked like a component node: its target's signature, its types and bounds, its own
    rules; the alarm thresholds are checked from AlarmSettings' fields."""
    with pytest.raises(ConfigValidationError) as info:
        validate_config(
            compose_config(
                [
                    "observer.sinks.wandb.enabled=true",
                    "observer.sinks.wandb.mode=sometimes",
                    "observer.sinks.wandb.projct=x",
                    "observer.sinks.wandb.completions_every=-1",
                    "observer.sinks.tensorboard.enabled=yes",
                    "+observer.sinks.mlflow._target_=rlvr.observers.sinks.RECORD_KEYS",
                    "observer.alarms.clipped_ratioo=0.3",
                    "observer.alarms.zero_std=1.5",
                    "observer.alarms.clipped_steps=0",
                    "observer.console=loud",  # the old spelling, rewritten to observer.sinks.console.level
                ]
            )
        )
    assert [str(issue) for issue in info.value.issues] == [
        "observer.alarms.clipped_ratioo=0.3: unknown key: not accepted by observer.alarms (AlarmSettings). "
        "Fix: did you mean observer.alarms.clipped_ratio?",
        "observer.alarms.clipped_steps=0: must be at least 1. Fix: e.g. observer.alarms.clipped_steps=2",
        "observer.alarms.zero_std=1.5: must be at most 1. Fix: e.g. observer.alarms.zero_std=0.9",
        "observer.sinks.console.level='loud': expected one of: quiet, normal, verbose or a bool (true or false) "
        "(got str). Fix: use one of: quiet, normal, verbose",
        "observer.sinks.wandb.projct='x': unknown key: not accepted by rlvr.observers.wandb_sink.WandbSink. "
        "Fix: did you mean observer.sinks.wandb.project?",
        "observer.sinks.wandb.mode='sometimes': expected one of: online, offline, disabled (got str). "
        "Fix: use one of: online, offline, disabled",
        "observer.sinks.wandb.completions_every=-1: must be at least 0 (0 = never). Fix: e.g. "
        "observer.sinks.wandb.completions_every=0",
        "observer.sinks.tensorboard.enabled='yes': expected a bool (true or false) (got str). Fix: use "
        "observer.sinks.tensorboard.enabled=true or observer.sinks.tensorboard.enabled=false",
        "observer.sinks.mlflow._target_='rlvr.observers.sinks.RECORD_KEYS': not a sink: it has no "
        "completions_every, start, log, table, alarm, finish. Fix: give it completions_every, start, log, "
        "table, alarm, finish (rlvr.interfaces.Sink)",
    ]


def test_keys_from_before_the_sinks_work_on_the_command_line() -> None:
    cfg = compose_config(
        ["observer.backends=[wandb,tensorboard]", "observer.wandb.mode=offline", "observer.console=quiet"]
    )
    sinks = cfg.observer.sinks
    assert (sinks.wandb.enabled, sinks.wandb.mode, sinks.tensorboard.enabled) == (True, "offline", True)
    assert (sinks.console.level, sinks.jsonl.filename) == ("quiet", "metrics.jsonl")
    assert compose_config(["observer.metrics_file=m.jsonl"]).observer.sinks.jsonl.filename == "m.jsonl"


def test_keys_from_before_the_sinks_in_a_yaml_node_name_their_replacement() -> None:
    old = {"backends": ["wandb"], "console": "quiet", "wandb": {"mode": "offline"}, "plotz": True}
    assert [str(issue) for issue in RunObserver.config_issues("observer", old)] == [
        "observer.backends=['wandb']: moved into observer.sinks. Fix: use observer.sinks.wandb.enabled=true",
        "observer.console='quiet': moved into observer.sinks. Fix: use observer.sinks.console.level=quiet",
        "observer.wandb={'mode': 'offline'}: moved into observer.sinks. Fix: move these keys under "
        "observer.sinks.wandb",
        "observer.plotz=True: unknown key: not accepted by rlvr.observers.RunObserver. Fix: did you mean "
        "observer.plots?",
    ]
    with pytest.raises(ConfigValidationError, match="use observer.sinks.console.level=quiet"):
        RunObserver(console="quiet")


def test_sinks_can_be_switched_off_and_the_record_renamed(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    observer = RunObserver(
        sinks={"jsonl": {**default_sinks()["jsonl"], "filename": "steps.jsonl"}, "console": None}, plots=False
    )
    observer.start(RunDir(tmp_path), {})
    observer.log_metrics(STEP, step=1)
    observer.finish()
    assert capsys.readouterr().out == ""
    assert [json.loads(line)["step"] for line in (tmp_path / "steps.jsonl").read_text().splitlines()] == [1]
    assert json.loads((tmp_path / "summary.json").read_text())["steps"] == 1


def test_default_config_is_valid_with_both_backends() -> None:
    validate_config(compose_config(["observer.backends=[wandb,tensorboard]", "observer.console=quiet"]))
    validate_config(
        compose_config(["observer.sinks.wandb.enabled=true", "observer.sinks.tensorboard.enabled=true"])
    )


class RecordingSink:
    """A user's own output: keeps every call it receives (built from a node like any sink)."""

    completions_every = 0
    calls: list = []

    def __init__(self, label: str = "mine"):
        RecordingSink.calls = [("init", label)]

    def start(self, run_dir: RunDir, config: dict) -> None:
        self.calls.append(("start", config))

    def log(self, record: dict) -> None:
        self.calls.append(("log", record["kind"], record.get("note")))

    def table(self, name: str, rows: list, step: int) -> None:
        self.calls.append(("table", name, rows))

    def alarm(self, name: str, message: str, step: int) -> None:
        self.calls.append(("alarm", name))

    def finish(self, summary: dict) -> None:
        self.calls.append(("finish", summary["steps"]))


def test_a_users_sink_gets_everything_with_secrets_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The redaction guarantee holds for any sink, not only the built-in ones: settings, config and every
    call's arguments arrive masked."""
    secret = "hf_usersinksecretABCDEFGH"
    monkeypatch.setenv("HF_TOKEN", secret)
    node = {"_target_": f"{__name__}.RecordingSink", "label": f"token {secret}"}
    observer = RunObserver(sinks={"mine": node}, plots=False)
    observer.start(RunDir(tmp_path), {"hub": secret})
    observer.log_metrics({"loss": 0.5, "note": secret}, step=1)
    observer.log_table("completions", [{"completion": secret}], step=1)
    observer.log_metrics({"loss": float("nan")}, step=2)  # the non_finite alarm
    observer.finish()
    assert RecordingSink.calls == [
        ("init", "token <redacted>"),
        ("start", {"hub": "<redacted>"}),
        ("log", "train", "<redacted>"),
        ("table", "completions", [{"completion": "<redacted>"}]),
        ("log", "train", None),
        ("alarm", "non_finite"),
        ("finish", 2),
    ]
