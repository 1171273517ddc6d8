"""W&B (real, offline: files written, no network) and TensorBoard receive what the observer logs; a
resumed run continues the same W&B run; a sweep job is named after its overrides."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from rlvr.observers import RunObserver, wandb_sink
from rlvr.run_dir import RunDir

WANDB = {
    "project": "rlvr-test",
    "name": "lr-1e-5",
    "group": "sweep-7",
    "tags": ["smoke"],
    "notes": "a note",
    "mode": "offline",
    "completions_every": 1,
}
SECRET = "sk-config-secret-0123456789"


@pytest.fixture(autouse=True)
def no_wandb_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No API key and no ~/.netrc, so nothing could reach the network even by mistake."""
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WANDB_DIR", str(tmp_path / "wandb-default"))


def one_run(run_dir: RunDir, settings: dict, steps: range, resume: str | None = None) -> RunObserver:
    sinks = {
        "jsonl": {"_target_": "rlvr.observers.sinks.JsonlSink"},
        "console": {"_target_": "rlvr.observers.sinks.ConsoleSink", "level": "quiet"},
        "wandb": {"_target_": "rlvr.observers.wandb_sink.WandbSink", **settings},
        "tensorboard": {"_target_": "rlvr.observers.tensorboard_sink.TensorBoardSink"},
    }
    observer = RunObserver(sinks=sinks, plots=False)
    observer.start(
        run_dir, {"train": {"max_steps": 2, "resume_from_checkpoint": resume}, "hub_token": SECRET}
    )
    for step in steps:
        observer.log_metrics({"loss": 0.5 / step, "reward": 0.1 * step, "note": "text"}, step=step)
        observer.log_table("completions", [{"prompt": "2+2?", "completion": "#### 4", "numeric": 2.0}], step)
    observer.log_eval({"tag": "after", "accuracy": 0.25, "samples": []}, step=steps[-1])
    return observer


def test_offline_wandb_run_writes_its_files_and_resumes_the_same_run(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path / "run")
    observer = one_run(run_dir, WANDB, range(1, 3))
    run = observer.sinks["wandb"].run
    assert (run.name, run.group, run.project, list(run.tags), run.notes) == (
        "lr-1e-5",
        "sweep-7",
        "rlvr-test",
        ["smoke"],
        "a note",
    )
    assert run.config["train"]["max_steps"] == 2 and run.config["hub_token"] == "<redacted>"
    run_id = run.id
    observer.finish({"eval/after/accuracy": 0.25})
    assert (run_dir.path / "wandb_run_id").read_text().strip() == run_id
    # W&B's service process writes the transaction log; `finish()` returns once the run has ended, not once
    # the file is flushed (under load the file held only its header 1 run in 4). A job's process exit shuts
    # the service down; here `teardown` does, so the file is complete before it is read.
    import wandb

    wandb.teardown()
    [log] = list((run_dir.path / "wandb").glob(f"offline-run-*-{run_id}/run-{run_id}.wandb"))
    data = log.read_bytes()
    for expected in (
        b"sweep-7",
        b"lr-1e-5",
        b"completions/step_000002",
        b"eval/accuracy",
        b"tokens_generated",
    ):
        assert expected in data, expected
    assert SECRET.encode() not in data

    resumed = one_run(run_dir, WANDB, range(3, 4), resume="auto")  # same run dir: a resumed training run
    assert resumed.sinks["wandb"].run.id == run_id
    resumed.finish()
    assert len(list((run_dir.path / "wandb").glob(f"offline-run-*-{run_id}"))) == 2
    lines = [json.loads(x) for x in (run_dir.path / "metrics.jsonl").read_text().splitlines()]
    assert [(r["kind"], r["step"]) for r in lines] == [
        ("train", 1),
        ("train", 2),
        ("eval", 2),
        ("train", 3),
        ("eval", 3),
    ]
    assert json.loads((run_dir.path / "summary.json").read_text())["steps"] == 3  # the whole run, both parts


def test_online_without_an_api_key_logs_offline_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    wandb_sink._warned_offline.clear()  # the warning is said once per process
    observer = one_run(RunDir(tmp_path / "run"), {**WANDB, "mode": "online"}, range(1, 2))
    assert observer.sinks["wandb"].run.settings.mode == "offline"
    observer.finish()
    assert (
        "no W&B API key (WANDB_API_KEY or `wandb login`): logging offline instead" in capsys.readouterr().err
    )


def test_tensorboard_event_files_hold_the_metrics(tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = RunDir(tmp_path / "run")
    one_run(run_dir, WANDB, range(1, 4)).finish()
    events = EventAccumulator(str(run_dir.path / "tensorboard"))
    events.Reload()
    assert {"loss", "reward", "eval/accuracy"} <= set(events.Tags()["scalars"])
    assert [(e.step, round(e.value, 4)) for e in events.Scalars("loss")] == [(1, 0.5), (2, 0.25), (3, 0.1667)]
    assert [e.value for e in events.Scalars("eval/accuracy")] == [0.25]
    assert {"config", "summary", "completions"} <= {t.split("/")[0] for t in events.Tags()["tensors"]}


def test_a_sweep_job_is_grouped_by_sweep_and_named_by_its_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    from rlvr.sweep_job import sweep_run_names

    hydra = types.SimpleNamespace(
        mode=RunMode.MULTIRUN,
        sweep=types.SimpleNamespace(dir="multirun/2026-11-29/10-00-00"),
        job=types.SimpleNamespace(override_dirname="train.learning_rate=1e-05", num=0),
    )
    monkeypatch.setattr(HydraConfig, "initialized", staticmethod(lambda: True))
    monkeypatch.setattr(HydraConfig, "get", staticmethod(lambda: hydra))
    cfg = OmegaConf.create({"observer": {"sinks": {"wandb": {"name": None, "group": None}}}})
    sweep_run_names(cfg)
    assert (cfg.observer.sinks.wandb.group, cfg.observer.sinks.wandb.name) == (
        "2026-11-29/10-00-00",
        "train.learning_rate=1e-05",
    )
    chosen = OmegaConf.create({"observer": {"sinks": {"wandb": {"name": "mine", "group": "g"}}}})
    sweep_run_names(chosen)
    assert (chosen.observer.sinks.wandb.group, chosen.observer.sinks.wandb.name) == (
        "g",
        "mine",
    )  # the user's win
    hydra.mode = RunMode.RUN
    single = OmegaConf.create({"observer": {"sinks": {"wandb": {"name": None, "group": None}}}})
    sweep_run_names(single)
    assert single.observer.sinks.wandb.name is None


def test_validation_says_online_without_a_key_goes_offline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """Caught in validation, before any model loads: the run will log offline, and how to say so."""
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc
    wandb_sink._warned_offline.clear()
    online = {"sinks": {"wandb": {"_target_": "rlvr.observers.wandb_sink.WandbSink", "mode": "online"}}}
    issues = RunObserver.config_issues("observer", online)
    assert issues == []
    err = capsys.readouterr().err
    assert "observer.sinks.wandb.mode=online but no W&B API key" in err
    assert "set observer.sinks.wandb.mode=offline" in err
    RunObserver.config_issues("observer", online)
    assert capsys.readouterr().err == ""  # once per process
