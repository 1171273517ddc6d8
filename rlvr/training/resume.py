"""``train.resume_from_checkpoint=auto|<path>``: continue a run where its last checkpoint left it.

TRL's trainer restores weights, optimizer, scheduler, RNG state and the data position from a checkpoint
only when ``trainer.train(resume_from_checkpoint=...)`` is called with it; the field alone does nothing.
``auto`` picks the newest *complete* checkpoint of the run's ``checkpoints/`` folder
(:func:`rlvr.training.checkpoints.checkpoint_problem`: trainer state, weights and optimizer all there and
whole), so a checkpoint cut short by a crash, a signal or a full disk is never picked: the run falls back
to the previous complete one and says which and why. A named checkpoint that is not complete is an
error naming what is missing. Before resuming, :func:`check_fits` compares the checkpoint's LoRA settings
with the run's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.console import warn
from rlvr.errors import ConfigError
from rlvr.training.checkpoints import checkpoint_problem, config_differences

AUTO = "auto"


def _step_of(path: Path) -> int:
    tail = path.name.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else -1


def checkpoints(directory: Path) -> list[Path]:
    """Every ``checkpoint-<step>`` folder, oldest first."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.glob("checkpoint-*") if p.is_dir()), key=_step_of)


def complete_checkpoints(directory: Path) -> list[Path]:
    """``checkpoint-<step>`` folders a resume can continue from exactly, oldest first."""
    return [p for p in checkpoints(directory) if checkpoint_problem(p) is None]


def checkpoint_step(checkpoint: Path) -> int:
    return int(json.loads((checkpoint / "trainer_state.json").read_text())["global_step"])


def resolve_checkpoint(value: str | None, checkpoints_dir: Path) -> Path | None:
    """The checkpoint to resume from: None for a fresh start (``auto`` in a dir without checkpoints)."""
    if value in (None, "", False):
        return None
    if value == AUTO:
        return _newest_complete(checkpoints_dir)
    path = Path(str(value)).expanduser()
    if problem := checkpoint_problem(path) if path.is_dir() else "no such directory":
        complete = [str(p) for p in complete_checkpoints(path.parent)]
        raise ConfigError(
            f"train.resume_from_checkpoint={value}: not a complete checkpoint ({problem}). "
            f"Fix: use train.resume_from_checkpoint=auto, or one of {complete}"
        )
    return path


def _newest_complete(directory: Path) -> Path | None:
    """The newest complete checkpoint; newer incomplete ones are named in a warning. Checkpoints that
    are all incomplete stop the run: starting over beside them would mix two runs' checkpoints."""
    found = checkpoints(directory)
    skipped = []
    for checkpoint in reversed(found):
        problem = checkpoint_problem(checkpoint)
        if problem is None:
            if skipped:
                warn(f"{'; '.join(skipped)}: resuming from {checkpoint.name}, the newest complete checkpoint")
            return checkpoint
        skipped.append(f"{checkpoint.name} is incomplete ({problem})")
    if skipped:
        raise ConfigError(
            f"train.resume_from_checkpoint=auto: no complete checkpoint in {directory} "
            f"({'; '.join(skipped)}). Fix: remove {directory} to start over (a train.save_only_model=true "
            "checkpoint holds no optimizer state and cannot be resumed exactly)"
        )
    return None


def check_fits(checkpoint: Path, model: Any) -> None:
    """Stop when the run's model settings differ from the checkpoint's (a LoRA rank, its targets)."""
    differences = config_differences(checkpoint, model)
    if differences:
        changed = "; ".join(f"{key} {_yaml(saved)} → {_yaml(now)}" for key, saved, now in differences)
        overrides = " ".join(f"{key}={_yaml(saved)}" for key, saved, _ in differences)
        raise ConfigError(
            f"train.resume_from_checkpoint: the config differs from the checkpoint {checkpoint}: {changed} "
            f"(checkpoint → this run). Fix: resume with the checkpoint's values ({overrides}), or train "
            "in a new run dir"
        )


def _yaml(value: Any) -> str:
    """A value as it is written on the command line (``true``, ``[k_proj,q_proj]``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ",".join(map(str, value)) + "]"
    return str(value)


def resume_issues(key: str, value: object) -> list[ConfigIssue]:
    """A named checkpoint must exist and be complete (checked before anything loads)."""
    if value in (None, "", AUTO) or not isinstance(value, str):
        return []
    path = Path(value).expanduser()
    problem = checkpoint_problem(path) if path.is_dir() else "no trainer_state.json"
    if problem is None:
        return []
    return [
        ConfigIssue(
            key,
            value,
            f"not a complete checkpoint ({problem} there)",
            f"use {key}=auto (the newest complete checkpoint of the run dir) or an existing checkpoint-<step> dir",
        )
    ]
