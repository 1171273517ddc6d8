"""SIGINT / SIGTERM during training: finish the current optimizer step, save a checkpoint, then stop.

The first signal only sets a flag; the callback asks the trainer to save and stop at the end of the step
(``control.should_save``/``should_training_stop``), so the checkpoint is consistent and ``auto`` resume
picks it up. The mode then writes the report so far and exits non-zero with the resume command. A second
signal goes to the handler that was there before (the job's, :class:`rlvr.signals.JobSignals`: stop at
once, recorded as an interrupted ending), or to the default action where there is none.
"""

from __future__ import annotations

import signal
from typing import Any

from rlvr.console import warn
from rlvr.signals import EXIT_CODES, SignalHandlers, resume_command

__all__ = ["EXIT_CODES", "GracefulStop", "resume_command"]


class GracefulStop(SignalHandlers):
    """Signal handlers for the duration of ``trainer.train()`` (use as a context manager)."""

    def __init__(self) -> None:
        super().__init__()
        self.signal: str | None = None

    def _handle(self, number: int, frame: Any) -> None:
        name = signal.Signals(number).name
        if self.signal is not None:  # the second signal: stop now
            previous = self._previous.get(number)
            if callable(previous):
                previous(number, frame)
                return
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)
            return
        self.signal = name
        warn(
            f"{name} received: saving a checkpoint at the end of this step, then stopping (again to stop now)"
        )

    def callback(self) -> Any:
        """A ``TrainerCallback`` that turns the flag into save-and-stop at the end of a step."""
        from transformers import TrainerCallback

        stop = self

        class StopOnSignal(TrainerCallback):
            def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
                if stop.signal is not None:
                    control.should_save = True
                    control.should_training_stop = True
                return control

        return StopOnSignal()
