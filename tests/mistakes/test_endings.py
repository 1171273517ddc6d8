"""Catalogue: every ending recorded (signals at any phase, a bug, a second job into a held run dir),
each compared on the whole printed line, with status.json and the summary's ending."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from rlvr.signals import resume_command
from tests.mistakes.cli import SCRIPT, run_cli, run_until, start_cli, tiny_args
from tests.waiting_components import WAITING

# (mistake, eval._target_ (a real evaluator that waits or crashes at one point), the signal sent when the
#  run says it waits, exit status, the whole line: {run_dir}, {resume} and {seconds} are filled in)
ENDINGS = [
    (
        "SIGTERM during the evaluation before training",
        "tests.waiting_components.WaitsBeforeTraining",
        signal.SIGTERM,
        143,
        "rlvr: SIGTERM during the evaluation before training: stopped at once; what was written so far is "
        "in {run_dir}. Resume: {resume}",
    ),
    (
        "Ctrl-C during the evaluation before training",
        "tests.waiting_components.WaitsBeforeTraining",
        signal.SIGINT,
        130,
        "rlvr: SIGINT during the evaluation before training: stopped at once; what was written so far is "
        "in {run_dir}. Resume: {resume}",
    ),
    (
        "a crash that is not an rlvr error",
        "tests.waiting_components.CrashesAfterTraining",
        None,
        1,
        "rlvr: failed (exit 1) during the evaluation after training after {seconds:.1f} s — run dir: {run_dir}",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mistake", "evaluator", "send", "code", "line"), ENDINGS, ids=[e[0] for e in ENDINGS]
)
def test_every_ending_is_recorded(
    mistake: str,
    evaluator: str,
    send: signal.Signals | None,
    code: int,
    line: str,
    tiny_model_dir: Path,
    tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, f"eval._target_={evaluator}")
    result = run_until(args, send)
    output = result.stdout + result.stderr
    assert result.returncode == code, output[-3000:]
    status = json.loads((run_dir / "status.json").read_text())
    expected = line.format(
        run_dir=run_dir,
        resume=resume_command([SCRIPT, *args], str(run_dir)),
        seconds=status.get("seconds", 0),
    )
    assert expected in output.splitlines(), output[-3000:]
    assert status["exit_code"] == code and status["status"] == ("failed" if send is None else "interrupted")
    assert ("Traceback" in output) == (send is None)  # a bug keeps its traceback; a signal is no bug
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["ended"]["status"] == status["status"] and "after" not in summary["accuracy"]


@pytest.mark.slow
def test_a_second_run_into_a_running_jobs_dir(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Catalogue: "two runs into one dir at once". The first run waits in its evaluation; the second,
    into the same dir with overwrite=true, is refused before Hydra writes anything there."""
    run_dir = tmp_path / "run"
    args = tiny_args(tiny_model_dir, run_dir, "eval._target_=tests.waiting_components.WaitsBeforeTraining")
    first = start_cli(args)
    for line in first.stdout:
        if line.startswith(WAITING):
            break
    hydra_files = {p.name: p.read_bytes() for p in (run_dir / ".hydra").iterdir()}
    second = run_cli([*args, "overwrite=true"])
    lock = json.loads((run_dir / ".rlvr.lock").read_text())
    first.send_signal(signal.SIGTERM)
    first.communicate()
    expected = (
        f"rlvr: hydra.run.dir={run_dir} is in use by a running job (pid {first.pid}, started "
        f"{lock['started_utc']}); two jobs in one dir would mix their metrics and reports. Fix: wait for it "
        "to end, or choose another hydra.run.dir"
    )
    assert (second.returncode, second.stderr.splitlines()) == (2, [expected]), second.stderr[-2000:]
    assert {p.name: p.read_bytes() for p in (run_dir / ".hydra").iterdir()} == hydra_files
    assert json.loads((run_dir / "status.json").read_text())["status"] == "interrupted"  # the first's own
