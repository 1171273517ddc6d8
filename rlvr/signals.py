"""SIGINT / SIGTERM at any phase of a job: stop with a recorded ``interrupted`` ending, never silently.

    with JobSignals(run_dir.path):
        run(cfg, run_dir)

Training has its own handlers (:class:`rlvr.training.interrupts.GracefulStop`: finish the step, save a
checkpoint, stop). Before and after it — loading, the baseline evaluation (minutes on the default
config), the final evaluation, the save — there is no step to finish, so the first signal stops the job
at once: the handler raises :class:`~rlvr.errors.Interrupted` naming the phase
(:func:`rlvr.ending.current_phase`) and the command that resumes the run. The job's ``finally`` blocks
still run (the observer writes its summary) and :mod:`rlvr.ending` records the ending. GracefulStop hands
a second signal during training on to this handler: stop now, the step in progress is lost. One more
signal while the job is already stopping ends the process at once (the default action).
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import sys
from typing import Any

from rlvr.errors import Interrupted

EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}


class SignalHandlers:
    """A subclass's ``_handle(number, frame)`` as the SIGINT/SIGTERM handler for the duration of a ``with`` block, the previous
    handlers kept in ``self._previous`` and put back at the end. Off the main thread (a notebook worker)
    no handler can be installed, and none is."""

    def __init__(self) -> None:
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> SignalHandlers:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: Any) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


class JobSignals(SignalHandlers):
    """The job's SIGINT/SIGTERM handlers, for the duration of a ``with`` block."""

    def __init__(self, run_dir: str) -> None:
        super().__init__()
        self.run_dir = str(run_dir)
        self.received: str | None = None

    def _handle(self, number: int, frame: Any) -> None:
        from rlvr.ending import current_phase

        name = signal.Signals(number).name
        if self.received is not None:  # already stopping: the default action, now
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)
            return
        self.received = name
        phase = current_phase()
        lost = " (the step in progress is lost)" if phase == "training" else ""
        raise Interrupted(
            f"{name} during {phase}: stopped at once{lost}; what was written so far is in "
            f"{self.run_dir}. Resume: {resume_command(sys.argv, self.run_dir)}",
            EXIT_CODES.get(name, 1),
        )


def resume_command(argv: list[str], run_dir: str) -> str:
    """The command that continues this run in its own dir from its newest complete checkpoint."""
    kept = [
        a
        for a in argv[1:]
        if not a.lstrip("+").startswith(("hydra.run.dir=", "train.resume_from_checkpoint="))
    ]
    # A key given twice (``train.max_steps=28 ... train.max_steps=200``): the last one is the one in force.
    last = {a.lstrip("+~").split("=", 1)[0]: i for i, a in enumerate(kept) if "=" in a}
    kept = [a for i, a in enumerate(kept) if "=" not in a or last[a.lstrip("+~").split("=", 1)[0]] == i]
    args = [*kept, f"hydra.run.dir={run_dir}", "train.resume_from_checkpoint=auto"]
    return "python run_pipeline.py " + " ".join(shlex.quote(a) for a in args)
