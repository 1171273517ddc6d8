"""``train.resume_from_checkpoint=auto|<path>``: continue a run where its last checkpoint left it.

TRL's trainer restores weights, optimizer, scheduler, RNG state and the data position from a checkpoint
only when ``trainer.train(resume_from_checkpoint=...)`` is called with it; the field alone does nothing.
``auto`` picks the newest *complete* checkpoint of the run's ``checkpoints/`` folder — one holding
``trainer_state.json``, which the trainer writes last, so a checkpoint cut short by a crash or a signal is
never picked.
"""

from __future__ import annotations

import json
from pathlib import Path

from rlvr.config.errors import ConfigIssue
from rlvr.errors import ConfigError

AUTO = "auto"


def complete_checkpoints(directory: Path) -> list[Path]:
    """``checkpoint-<step>`` folders with ``trainer_state.json``, oldest first."""
    if not directory.is_dir():
        return []
    found = [p for p in directory.glob("checkpoint-*") if (p / "trainer_state.json").is_file()]
    return sorted(
        found, key=lambda p: int(p.name.rsplit("-", 1)[-1]) if p.name.rsplit("-", 1)[-1].isdigit() else -1
    )


def checkpoint_step(checkpoint: Path) -> int:
    return int(json.loads((checkpoint / "trainer_state.json").read_text())["global_step"])


def resolve_checkpoint(value: str | None, checkpoints_dir: Path) -> Path | None:
    """The checkpoint to resume from: None for a fresh start (or ``auto`` with no complete checkpoint)."""
    if value in (None, "", False):
        return None
    if value == AUTO:
        found = complete_checkpoints(checkpoints_dir)
        return found[-1] if found else None
    path = Path(str(value)).expanduser()
    if not (path / "trainer_state.json").is_file():
        raise ConfigError(
            f"train.resume_from_checkpoint={value}: not a complete checkpoint (no trainer_state.json). "
            f"Fix: use train.resume_from_checkpoint=auto, or one of {[str(p) for p in complete_checkpoints(path.parent)]}"
        )
    return path


def resume_issues(key: str, value: object) -> list[ConfigIssue]:
    """A named checkpoint must exist and be complete (checked before anything loads)."""
    if value in (None, "", AUTO) or not isinstance(value, str):
        return []
    if (Path(value).expanduser() / "trainer_state.json").is_file():
        return []
    return [
        ConfigIssue(
            key,
            value,
            "not a complete checkpoint (no trainer_state.json there)",
            f"use {key}=auto (the newest complete checkpoint of the run dir) or an existing checkpoint-<step> dir",
        )
    ]
