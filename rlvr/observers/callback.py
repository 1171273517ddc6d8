"""Bridge from the trainer to any observer: forwards each ``on_log`` to ``observer.log_metrics``.

Kept apart from the observers so that an observer needs no transformers import and no trainer
knowledge — only the four methods of :class:`rlvr.interfaces.Observer`.
"""

from __future__ import annotations

from typing import Any

from rlvr.interfaces import Observer


def observer_callback(observer: Observer) -> Any:
    """A ``transformers.TrainerCallback`` that hands every log dict to ``observer`` with the global step."""
    from transformers import TrainerCallback

    class ObserverCallback(TrainerCallback):
        def on_log(
            self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any
        ) -> None:
            if logs:
                observer.log_metrics(logs, state.global_step)

    return ObserverCallback()
