"""One job per run dir at a time: a lock held for the job's whole lifetime, not a look at the start.

    with RunDirLock(run_dir.path):     # raises RunDirBusy when another live job holds the dir
        ...                            # the job writes its files

Without it, two runs started into one explicit ``hydra.run.dir`` would interleave their metrics and
overwrite each other's reports: the "already holds a run" check (:func:`rlvr.run_dir.occupied_run_dir`) looks only at
the files present at the start, and passes by design for ``overwrite=true`` and resumes. The lock is an
``flock`` on ``<run dir>/.rlvr.lock``, which the kernel releases when the process ends however it ends
(a crash, SIGKILL), so a dead run never leaves the dir locked. The file names the holder (pid, start
time) for the message. ``run_pipeline.py`` also tries the lock before Hydra starts, so a second run is
refused before it writes even Hydra's ``.hydra/`` files. Where ``fcntl`` is missing (Windows) there is
no lock.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rlvr.errors import ConfigError

LOCK_FILE = ".rlvr.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class RunDirBusy(ConfigError):
    """Another live job holds the run dir."""


class RunDirLock:
    """An exclusive lock on a run dir for the duration of a ``with`` block."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._handle: Any = None

    def __enter__(self) -> RunDirLock:
        if fcntl is None:
            return self
        self.path.mkdir(parents=True, exist_ok=True)
        handle = (self.path / LOCK_FILE).open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RunDirBusy(busy_message(self.path)) from None
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started_utc": started}))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def holder(path: Path) -> dict[str, Any] | None:
    """Who holds the run dir's lock now (pid, start time), or None when nobody does."""
    lock = path / LOCK_FILE
    if fcntl is None or not lock.is_file():
        return None
    with lock.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                return json.loads(handle.read() or "{}")
            except ValueError:
                return {}
        fcntl.flock(handle, fcntl.LOCK_UN)
    return None


def busy_message(path: Path) -> str:
    """The one line for a run dir another job is writing."""
    found = holder(path) or {}
    who = f"pid {found['pid']}, started {found.get('started_utc')}" if "pid" in found else "another process"
    return (
        f"hydra.run.dir={path} is in use by a running job ({who}); two jobs in one dir would mix their "
        "metrics and reports. Fix: wait for it to end, or choose another hydra.run.dir"
    )
