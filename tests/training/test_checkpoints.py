"""A checkpoint counts as complete only when a resume can continue from it exactly; one that differs from
the run's model settings is named key by key."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from rlvr.errors import ConfigError
from rlvr.training.checkpoints import checkpoint_problem, config_differences
from rlvr.training.resume import check_fits, resolve_checkpoint, resume_issues
from tests.training.checkpoint_files import write_checkpoint


def cut(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        # A crash before the optimizer was written: transformers would resume with a fresh optimizer.
        (lambda c: (c / "optimizer.pt").unlink(), "no optimizer.pt"),
        # A full disk while the optimizer was written.
        (lambda c: cut(c / "optimizer.pt"), "optimizer.pt is truncated or corrupt"),
        (lambda c: (c / "scheduler.pt").write_bytes(b""), "scheduler.pt is truncated or corrupt"),
        # A truncated adapter: its header promises more bytes than the file has.
        (
            lambda c: cut(c / "adapter_model.safetensors", 0.9),
            "adapter_model.safetensors is truncated or corrupt",
        ),
        (lambda c: (c / "adapter_model.safetensors").unlink(), "no model or adapter weights"),
        # A truncated trainer state.
        (lambda c: cut(c / "trainer_state.json"), "trainer_state.json is unreadable (truncated?)"),
        (lambda c: (c / "trainer_state.json").unlink(), "no trainer_state.json"),
    ],
)
def test_each_missing_or_cut_part_makes_a_checkpoint_incomplete(damage, problem: str, tmp_path: Path) -> None:
    checkpoint = write_checkpoint(tmp_path / "checkpoint-2", 2)
    assert checkpoint_problem(checkpoint) is None
    damage(checkpoint)
    assert checkpoint_problem(checkpoint) == problem


def test_auto_falls_back_to_the_previous_complete_checkpoint(tmp_path: Path, capsys) -> None:
    write_checkpoint(tmp_path / "checkpoint-2", 2)
    newest = write_checkpoint(tmp_path / "checkpoint-4", 4)
    (newest / "optimizer.pt").unlink()
    assert resolve_checkpoint("auto", tmp_path) == tmp_path / "checkpoint-2"
    assert capsys.readouterr().err == (
        "rlvr: warning: checkpoint-4 is incomplete (no optimizer.pt): resuming from checkpoint-2, "
        "the newest complete checkpoint\n"
    )


def test_auto_with_only_incomplete_checkpoints_stops(tmp_path: Path) -> None:
    cut(write_checkpoint(tmp_path / "checkpoint-2", 2) / "optimizer.pt")
    with pytest.raises(ConfigError) as caught:
        resolve_checkpoint("auto", tmp_path)
    assert str(caught.value) == (
        f"train.resume_from_checkpoint=auto: no complete checkpoint in {tmp_path} (checkpoint-2 is "
        f"incomplete (optimizer.pt is truncated or corrupt)). Fix: remove {tmp_path} to start over (a "
        "train.save_only_model=true checkpoint holds no optimizer state and cannot be resumed exactly)"
    )


def test_a_named_incomplete_checkpoint_is_a_config_issue(tmp_path: Path) -> None:
    checkpoint = write_checkpoint(tmp_path / "checkpoint-2", 2)
    (checkpoint / "optimizer.pt").unlink()
    [issue] = resume_issues("train.resume_from_checkpoint", str(checkpoint))
    assert str(issue) == (
        f"train.resume_from_checkpoint={str(checkpoint)!r}: not a complete checkpoint (no optimizer.pt there). "
        "Fix: use train.resume_from_checkpoint=auto (the newest complete checkpoint of the run dir) or an "
        "existing checkpoint-<step> dir"
    )


def peft_model(r: int, targets: set[str]) -> SimpleNamespace:
    config = SimpleNamespace(r=r, lora_alpha=8, target_modules=targets)
    return SimpleNamespace(peft_config={"default": config})


def test_a_changed_lora_rank_is_named_with_the_override_that_resumes(tmp_path: Path) -> None:
    checkpoint = write_checkpoint(tmp_path / "checkpoint-2", 2, r=4)
    assert config_differences(checkpoint, peft_model(4, {"v_proj", "q_proj"})) == []
    assert config_differences(checkpoint, SimpleNamespace()) == [("model.lora.enabled", True, False)]
    with pytest.raises(ConfigError) as caught:
        check_fits(checkpoint, peft_model(8, {"q_proj", "v_proj", "k_proj"}))
    assert str(caught.value) == (
        f"train.resume_from_checkpoint: the config differs from the checkpoint {checkpoint}: model.lora.r 4 → 8; "
        "model.lora.target_modules [q_proj,v_proj] → [k_proj,q_proj,v_proj] (checkpoint → this run). Fix: "
        "resume with the checkpoint's values (model.lora.r=4 model.lora.target_modules=[q_proj,v_proj]), or "
        "train in a new run dir"
    )
