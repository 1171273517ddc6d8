"""A result that could not be written (a full disk, a file-size limit, no permission) as one OutputError.

Writers fail in many shapes: ``OSError(ENOSPC)`` from Python, ``SafetensorError`` ("No space left on
device") from the safetensors writer, ``RuntimeError`` ("unexpected pos", "iostream error") from
``torch.save``'s C++ zip writer, each chained to two or three more. So a failure is recognised by *where*
it happened — a checkpoint save (``_save_checkpoint`` in the traceback) or the final save — not by its
type, and reported once: what could not be written, why (the innermost cause, plus the free space), what
is already safe on disk (the newest complete checkpoint), and how to go on (exit 7).
"""

from __future__ import annotations

import shutil
import traceback
from pathlib import Path

from rlvr.errors import OutputError
from rlvr.run_dir import RunDir

#: Functions whose presence in a traceback means "a checkpoint was being written".
_CHECKPOINT_WRITERS = ("_save_checkpoint", "_save_optimizer_and_scheduler", "_save_rng_state")


def chain(err: BaseException) -> list[BaseException]:
    """``err`` and the exceptions it was raised from or during, outermost first."""
    found: list[BaseException] = []
    while err is not None and err not in found:
        found.append(err)
        err = err.__cause__ or err.__context__  # type: ignore[assignment]
    return found


def reason(err: BaseException) -> str:
    """The innermost cause, in one line (``OSError``'s strerror where there is one)."""
    inner = chain(err)[-1]
    lines = str(inner).strip().splitlines()
    text = getattr(inner, "strerror", None) or (lines[0] if lines else "")
    return f"{type(inner).__name__}: {text}" if text else type(inner).__name__


def free_space(path: Path) -> str:
    try:
        return f"{shutil.disk_usage(path).free / 2**30:.2f} GiB free there"
    except OSError:
        return "free space unknown"


def on_disk(run_dir: RunDir, failed: Path | None = None) -> str:
    """The run dir's results (not the one whose write failed)."""
    names = (p.name for p in run_dir.path.iterdir() if not p.name.startswith(".") and p != failed)
    return ", ".join(sorted(names))


def checkpoint_write_error(err: BaseException, run_dir: RunDir, checkpoints: Path) -> OutputError | None:
    """The OutputError for a failure while the trainer wrote a checkpoint; None for any other failure."""
    frames = [frame.name for e in chain(err) for frame in traceback.extract_tb(e.__traceback__)]
    if not any(name in _CHECKPOINT_WRITERS for name in frames):
        return None
    from rlvr.training.resume import checkpoints as all_checkpoints
    from rlvr.training.resume import complete_checkpoints

    complete = complete_checkpoints(checkpoints)
    newest = all_checkpoints(checkpoints)[-1].name if all_checkpoints(checkpoints) else "checkpoint"
    if complete:
        kept = f"the newest complete checkpoint is {complete[-1].name}"
        then = "resume with train.resume_from_checkpoint=auto"
    else:
        kept, then = "no complete checkpoint yet", f"remove {checkpoints} and re-run"
    return OutputError(
        f"could not write {checkpoints / newest} ({reason(err)}; {free_space(checkpoints)}): it is incomplete "
        f"and a resume skips it; {kept}. Already on disk in {run_dir.path}: {on_disk(run_dir)}. Fix: free "
        f"space or lift the limit, then {then}"
    )


def save_error(err: BaseException, target: Path, run_dir: RunDir) -> OutputError:
    """The OutputError for a failed final save (the report with the accuracy is already written)."""
    return OutputError(
        f"could not write {target} ({reason(err)}; {free_space(run_dir.path)}). Already on disk in "
        f"{run_dir.path}: {on_disk(run_dir, target)}. Fix: free space or choose another hydra.run.dir, then resume "
        "with train.resume_from_checkpoint=auto (checkpoints) or re-run"
    )
