"""Every ending of a job is recorded the same way: status.json, the summary's `ended` row, the last line.

The mode is a stand-in (a function), so each ending — success, an rlvr error, a bug, `sys.exit` in user
code, a signal outside training, a second signal during training — is produced for real and quickly.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rlvr.ending import set_phase
from rlvr.errors import DataError
from rlvr.job import run_job
from rlvr.observers.run_observer import RunObserver
from rlvr.run_dir import RunDir
from rlvr.signals import resume_command
from rlvr.training.interrupts import GracefulStop
from tests.conftest import compose_config


def job(tmp_path: Path, mode: Callable[[Any, RunDir], Any]) -> tuple[int, RunDir, dict[str, Any]]:
    run_dir = RunDir(tmp_path / "run")
    run_dir.write_text("resolved_config.yaml", "a: 1\n")  # a run that got going: the dir is kept
    outcome = run_job(compose_config(["mode=check"]), run_dir, ["check"], mode, sweep=False)
    return outcome.code, run_dir, json.loads((run_dir.path / "status.json").read_text())


def rlvr_lines(captured: Any) -> list[str]:
    return [line for line in (captured.out + captured.err).splitlines() if line.startswith("rlvr:")]


def test_ok_records_status_and_prints_the_run_dir_and_one_wall_time(tmp_path: Path, capsys) -> None:
    code, run_dir, status = job(tmp_path, lambda cfg, run_dir: {"after": {"accuracy": 0.5}})
    assert code == 0
    assert (status["status"], status["exit_code"], status["accuracy"]) == ("ok", 0, 0.5)
    assert rlvr_lines(capsys.readouterr()) == [
        f"rlvr: ok after {status['seconds']:.1f} s — run dir: {run_dir.path}"
    ]


def test_an_rlvr_error_is_one_line_and_a_failed_status(tmp_path: Path, capsys) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        set_phase("loading the data and the model")
        raise DataError("data.path='x.jsonl': broken. Fix: repair it")

    code, run_dir, status = job(tmp_path, mode)
    assert code == 3
    assert status["status"] == "failed" and status["phase"] == "loading the data and the model"
    assert status["error"] == "data.path='x.jsonl': broken. Fix: repair it"
    assert rlvr_lines(capsys.readouterr()) == [
        "rlvr: data.path='x.jsonl': broken. Fix: repair it",
        f"rlvr: failed (exit 3) during loading the data and the model after {status['seconds']:.1f} s"
        f" — run dir: {run_dir.path}",
    ]


def test_a_bug_keeps_its_traceback_and_is_recorded(tmp_path: Path, capsys) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        set_phase("training")
        raise RuntimeError("boom")

    code, _, status = job(tmp_path, mode)
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" in captured.err and "RuntimeError: boom" in captured.err
    assert (status["status"], status["exit_code"], status["error"]) == ("failed", 1, "RuntimeError: boom")


def test_sys_exit_in_user_code_is_named_and_not_a_data_error(tmp_path: Path, capsys) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        set_phase("training")
        raise SystemExit(3)

    code, _, status = job(tmp_path, mode)
    line = (
        "sys.exit(3) was called during training by code the run called (a custom reward, data loader "
        "or model?). Fix: raise an exception there instead; debug=true shows where"
    )
    assert (code, status["status"], status["error"]) == (1, "failed", line)
    assert f"rlvr: {line}" in rlvr_lines(capsys.readouterr())


def test_sigterm_outside_training_stops_at_once_and_is_recorded(tmp_path: Path, capsys) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        set_phase("the evaluation before training")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)  # the handler raises before this ends
        raise AssertionError("not stopped")

    code, run_dir, status = job(tmp_path, mode)
    line = (
        f"SIGTERM during the evaluation before training: stopped at once; what was written so far is in "
        f"{run_dir.path}. Resume: {resume_command(__import__('sys').argv, str(run_dir.path))}"
    )
    assert (code, status["status"], status["exit_code"], status["error"]) == (143, "interrupted", 143, line)
    assert f"rlvr: {line}" in rlvr_lines(capsys.readouterr())
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the job's handlers are gone again


def test_a_second_signal_during_training_stops_now_and_is_recorded(tmp_path: Path) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        set_phase("training")
        with GracefulStop() as stop:
            os.kill(os.getpid(), signal.SIGINT)  # the first: finish the step, then save
            time.sleep(0.1)
            assert stop.signal == "SIGINT"
            os.kill(os.getpid(), signal.SIGINT)  # the second: now
            time.sleep(30)
        raise AssertionError("not stopped")

    code, _, status = job(tmp_path, mode)
    assert (code, status["status"], status["phase"]) == (130, "interrupted", "training")
    assert status["error"].startswith(
        "SIGINT during training: stopped at once (the step in progress is lost)"
    )


def test_the_summary_of_a_crashed_run_says_so_and_claims_no_after_accuracy(tmp_path: Path, capsys) -> None:
    def mode(cfg: Any, run_dir: RunDir) -> None:
        observer = RunObserver(plots=False)
        observer.start(run_dir, {})
        try:
            observer.log_eval({"tag": "before", "accuracy": 0.25}, step=0)
            observer.log_eval({"tag": "periodic", "accuracy": 0.25}, step=0)
            set_phase("training")
            raise RuntimeError("died at step 1")
        finally:
            observer.finish()

    code, run_dir, status = job(tmp_path, mode)
    summary = json.loads((run_dir.path / "summary.json").read_text())
    assert code == 1
    assert summary["accuracy"] == {"before": 0.25, "step 0": 0.25}  # no "after"
    assert summary["ended"]["status"] == "failed" and summary["wall_time_s"] == status["seconds"]
    ended = f"failed (exit 1) during training after {status['seconds']:.1f} s: RuntimeError: died at step 1"
    assert f"| ended | {ended} |" in (run_dir.path / "summary.md").read_text()


def test_a_dir_the_run_never_wrote_to_is_removed_not_recorded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_dir = RunDir(tmp_path / "outputs" / "run")
    (run_dir.path / ".hydra").mkdir(parents=True)

    def mode(cfg: Any, run_dir: RunDir) -> None:
        raise DataError("nothing to read")

    outcome = run_job(compose_config(["mode=check"]), run_dir, ["check"], mode, sweep=False)
    assert outcome.code == 3 and not (tmp_path / "outputs").exists()


@pytest.mark.parametrize("previous", ["ok", "failed"])
def test_a_new_job_replaces_the_previous_ending_at_once(tmp_path: Path, previous: str) -> None:
    seen: dict[str, Any] = {}

    def mode(cfg: Any, run_dir: RunDir) -> None:
        seen.update(json.loads((run_dir.path / "status.json").read_text()))

    run_dir = RunDir(tmp_path)
    run_dir.write_json("status.json", {"status": previous})
    run_job(compose_config(["mode=check"]), run_dir, ["check"], mode, sweep=False)
    assert seen["status"] == "running" and seen["pid"] == os.getpid()
