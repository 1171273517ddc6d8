"""Rank rules before Hydra (rlvr/launch.py) and in the run dir: one dir per launch, rank 0 writes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from rlvr import launch
from rlvr.run_dir import RunDir, occupied_run_dir


def ranks(monkeypatch: pytest.MonkeyPatch, rank: int, world: int = 2, local_world: int | None = None) -> None:
    monkeypatch.setenv("RANK", str(rank))
    monkeypatch.setenv("LOCAL_RANK", str(rank))
    monkeypatch.setenv("WORLD_SIZE", str(world))
    monkeypatch.setenv("LOCAL_WORLD_SIZE", str(local_world or world))


def test_a_single_process_gets_no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    assert launch.launch_overrides(["experiment=smoke"]) == [] and launch.is_main_process()


def test_both_ranks_of_a_launch_get_rank_0s_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(launch, "LAUNCH_DIR", tmp_path)
    ranks(monkeypatch, 0)
    first = launch.launch_overrides(["experiment=smoke"])
    ranks(monkeypatch, 1)
    second = launch.launch_overrides(["experiment=smoke"])
    run_dir = [o for o in first if o.startswith("hydra.run.dir=")]
    assert run_dir and run_dir[0].startswith("hydra.run.dir=outputs/") and run_dir[0] in second
    assert second[-2:] == [
        "hydra.output_subdir=null",
        "hydra/job_logging=stdout",
    ]  # only rank 0 writes .hydra/
    assert "hydra.output_subdir=null" not in first


def test_an_explicit_run_dir_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    ranks(monkeypatch, 1)
    assert launch.launch_overrides(["hydra.run.dir=x", "hydra.sweep.dir=y"]) == [
        "hydra.output_subdir=null",
        "hydra/job_logging=stdout",
    ]


def test_several_machines_need_an_explicit_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    ranks(monkeypatch, 0, world=4, local_world=2)
    assert "hydra.run.dir=/shared/runs/my-run" in (launch.launch_issue(["experiment=smoke"]) or "")
    assert launch.launch_issue(["hydra.run.dir=/shared/x"]) is None


def test_the_dir_pattern_is_resolved_from_one_clock() -> None:
    now = datetime(2026, 11, 29, 10, 0, 0, 123456)
    assert (
        launch.resolve_now(launch.default_pattern("hydra.run.dir"), now)
        == "outputs/2026-11-29/10-00-00-123456"
    )
    with pytest.raises(ValueError, match="pass hydra.run.dir"):
        launch.resolve_now("runs/${hydra.job.name}", now)


def test_other_ranks_write_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ranks(monkeypatch, 1)
    run_dir = RunDir(tmp_path)
    run_dir.write_json("status.json", {"status": "ok"})
    run_dir.append_jsonl("metrics.jsonl", {"step": 1})
    assert not run_dir.writer and list(tmp_path.iterdir()) == []
    ranks(monkeypatch, 0)
    RunDir(tmp_path).append_jsonl("metrics.jsonl", {"step": 1})
    assert (tmp_path / "metrics.jsonl").is_file()
    assert occupied_run_dir([f"hydra.run.dir={tmp_path}"])  # rank 0 still refuses another run's dir
