"""One job per run dir: the lock is held for the job's lifetime and released however the job ends."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rlvr.job import run_job
from rlvr.run_dir import RunDir, occupied_run_dir
from rlvr.run_lock import LOCK_FILE, RunDirBusy, RunDirLock, holder
from tests.conftest import compose_config


def test_a_held_dir_refuses_a_second_lock_and_names_the_holder(tmp_path: Path) -> None:
    with RunDirLock(tmp_path):
        found = holder(tmp_path)
        assert found is not None and found["pid"] == os.getpid()
        with pytest.raises(RunDirBusy) as caught, RunDirLock(tmp_path):
            pass
        assert str(caught.value) == (
            f"hydra.run.dir={tmp_path} is in use by a running job (pid {os.getpid()}, started "
            f"{found['started_utc']}); two jobs in one dir would mix their metrics and reports. Fix: wait "
            "for it to end, or choose another hydra.run.dir"
        )
    assert holder(tmp_path) is None  # released; the file stays, unlocked
    with RunDirLock(tmp_path):
        pass


def test_the_start_check_refuses_a_held_dir_even_with_overwrite(tmp_path: Path) -> None:
    with RunDirLock(tmp_path):
        for extra in ([], ["overwrite=true"], ["train.resume_from_checkpoint=auto"]):
            problem = occupied_run_dir([f"hydra.run.dir={tmp_path}", *extra])
            assert problem is not None and problem.startswith(f"hydra.run.dir={tmp_path} is in use")
    assert occupied_run_dir([f"hydra.run.dir={tmp_path}"]) is None  # only the (unlocked) lock file there


def test_a_job_into_a_held_dir_stops_and_leaves_the_holders_files_alone(tmp_path: Path, capsys) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.write_json("status.json", {"status": "running", "pid": 1})
    ran = []
    with RunDirLock(tmp_path):
        outcome = run_job(
            compose_config(["mode=check"]), run_dir, ["check"], lambda c, r: ran.append(1), False
        )
    assert (outcome.code, ran) == (2, [])
    assert json.loads((tmp_path / "status.json").read_text()) == {"status": "running", "pid": 1}
    assert capsys.readouterr().err.startswith(f"rlvr: hydra.run.dir={tmp_path} is in use by a running job")


def test_the_job_holds_the_lock_while_it_runs_and_not_after(tmp_path: Path) -> None:
    seen = []
    run_dir = RunDir(tmp_path)
    run_dir.write_text("resolved_config.yaml", "a: 1\n")
    run_job(
        compose_config(["mode=check"]), run_dir, ["check"], lambda c, r: seen.append(holder(r.path)), False
    )
    assert seen[0]["pid"] == os.getpid() and holder(tmp_path) is None
    assert (tmp_path / LOCK_FILE).is_file()
