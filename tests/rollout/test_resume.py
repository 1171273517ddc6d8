"""Resume that resumes: 2 steps + SIGTERM + resume to 4 gives the same steps 3-4 as 4 steps straight."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from rlvr.training.resume import complete_checkpoints, resolve_checkpoint
from tests.tiny_grpo import logged_steps, tiny_loop, tiny_trainer

KEYS = ("reward", "loss", "grad_norm", "completions/mean_length", "learning_rate")


def make_loop(max_steps: int, resume: str | None = None, **extra):
    return tiny_loop(
        rollout={"backend": "hf"},
        max_steps=max_steps,
        resume_from_checkpoint=resume,
        lr_scheduler_type="linear",
        **extra,
    )


def build(loop, model_dir: Path, out: Path, callbacks=()):
    return tiny_trainer(loop, model_dir, out, prompts=16, callbacks=callbacks)


def steps(trainer) -> dict[int, dict]:
    return logged_steps(trainer, KEYS)


@pytest.mark.slow
def test_sigterm_then_auto_resume_matches_an_uninterrupted_run(tiny_model_dir: Path, tmp_path: Path) -> None:
    from transformers import TrainerCallback

    straight = make_loop(4)
    reference = build(straight, tiny_model_dir, tmp_path / "straight" / "checkpoints")
    straight.train(reference)

    class TermAfterStep2(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if state.global_step == 1:  # during step 2: a real signal, handled by GracefulStop
                os.kill(os.getpid(), signal.SIGTERM)

    out = tmp_path / "resumed" / "checkpoints"
    first = make_loop(4)
    interrupted = build(first, tiny_model_dir, out, [TermAfterStep2()])
    stopped = first.train(interrupted)
    assert stopped.interrupted == "SIGTERM" and stopped.global_step == interrupted.state.global_step == 2
    assert [p.name for p in complete_checkpoints(out)] == ["checkpoint-2"]

    second = make_loop(4, resume="auto", save_strategy="steps", save_steps=2)
    resumed = build(second, tiny_model_dir, out)
    result = second.train(resumed)
    assert result.resumed_from == str(out / "checkpoint-2") and result.interrupted is None
    assert (result.global_step, result.already_finished) == (4, False) and result.training_loss is not None
    expected, got = steps(reference), steps(resumed)
    assert sorted(got) == [1, 2, 3, 4]  # steps 1-2 come back with the checkpoint's state, 3-4 are new
    for step in (1, 2, 3, 4):
        assert got[step] == pytest.approx(expected[step], rel=1e-4, abs=1e-6), step

    assert complete_checkpoints(out)[-1].name == "checkpoint-4"
    finished = make_loop(4, resume="auto")  # resuming a finished run says so and does nothing
    again = finished.train(build(finished, tiny_model_dir, out))
    assert (again.already_finished, again.global_step, again.interrupted) == (True, 4, None)


def test_auto_skips_incomplete_checkpoints(tmp_path: Path) -> None:
    from tests.training.checkpoint_files import write_checkpoint

    for step, complete in ((2, True), (4, True), (6, False)):
        folder = write_checkpoint(tmp_path / f"checkpoint-{step}", step)
        if not complete:
            (folder / "trainer_state.json").unlink()
    assert resolve_checkpoint("auto", tmp_path) == tmp_path / "checkpoint-4"
    assert resolve_checkpoint("auto", tmp_path / "none") is None
    assert resolve_checkpoint(None, tmp_path) is None
    with pytest.raises(ValueError, match="not a complete checkpoint"):
        resolve_checkpoint(str(tmp_path / "checkpoint-6"), tmp_path)


def test_resume_command_keeps_the_last_value_of_a_repeated_key() -> None:
    from rlvr.training.interrupts import resume_command

    argv = ["run_pipeline.py", "++train.max_steps=28", "experiment=smoke", "++train.max_steps=200"]
    assert resume_command(argv, "runs/a") == (
        "python run_pipeline.py experiment=smoke ++train.max_steps=200 hydra.run.dir=runs/a "
        "train.resume_from_checkpoint=auto"
    )
