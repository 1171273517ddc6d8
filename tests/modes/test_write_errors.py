"""A write that fails, whatever the writer raised, is recognised by where it happened and told once."""

from __future__ import annotations

from pathlib import Path

from rlvr.modes.write_errors import checkpoint_write_error, reason, save_error
from rlvr.run_dir import RunDir
from tests.training.checkpoint_files import write_checkpoint


def _save_checkpoint() -> None:  # named like transformers' Trainer method
    try:
        raise OSError(28, "No space left on device")
    except OSError as err:  # torch's zip writer chains its own RuntimeError on top
        raise RuntimeError(
            "[enforce fail at inline_container.cc:672] . unexpected pos 30976 vs 30864"
        ) from err


def test_a_failure_inside_a_checkpoint_save_names_the_checkpoint_and_the_newest_complete_one(
    tmp_path: Path,
) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.write_text("metrics.jsonl", "{}\n")
    checkpoints = tmp_path / "checkpoints"
    write_checkpoint(checkpoints / "checkpoint-2", 2)
    (write_checkpoint(checkpoints / "checkpoint-4", 4) / "optimizer.pt").write_bytes(b"cut")
    try:
        _save_checkpoint()
    except RuntimeError as err:
        failure = checkpoint_write_error(err, run_dir, checkpoints)
    assert failure is not None and failure.exit_code == 7
    message = str(failure)
    assert message.startswith(
        f"could not write {checkpoints / 'checkpoint-4'} (OSError: No space left on device; "
    )
    assert message.endswith(
        f"GiB free there): it is incomplete and a resume skips it; the newest complete checkpoint is checkpoint-2. "
        f"Already on disk in {tmp_path}: checkpoints, metrics.jsonl. Fix: free space or lift the limit, then "
        "resume with train.resume_from_checkpoint=auto"
    )


def test_a_failure_elsewhere_is_not_a_write_error(tmp_path: Path) -> None:
    try:
        raise RuntimeError("CUDA out of memory")
    except RuntimeError as err:
        assert checkpoint_write_error(err, RunDir(tmp_path), tmp_path / "checkpoints") is None


def test_a_final_save_error_names_the_innermost_cause_and_leaves_the_target_out(tmp_path: Path) -> None:
    run_dir = RunDir(tmp_path)
    run_dir.write_json("eval_report.json", {})
    (tmp_path / "final_model").mkdir()
    err = RuntimeError("Error while serializing: I/O error: File too large (os error 27)")
    assert reason(err) == "RuntimeError: Error while serializing: I/O error: File too large (os error 27)"
    message = str(save_error(err, tmp_path / "final_model", run_dir))
    assert f"Already on disk in {tmp_path}: eval_report.json. Fix:" in message
