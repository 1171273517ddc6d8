"""Evaluators for the ending tests: the real one, except at one evaluation, chosen with ``eval._target_``.

A test sends its signal when the run says it is waiting, so the phase the signal lands in is certain
(``signal.pause()`` waits for it; no clock is involved), or the run crashes there with a plain bug.
"""

from __future__ import annotations

import signal
from typing import Any

from rlvr.evaluation.greedy import GreedyAccuracy

WAITING = "waiting for a signal in the evaluation"


class WaitsBeforeTraining(GreedyAccuracy):
    """Says so and waits for a signal in the evaluation before training."""

    def evaluate(self, model: Any, tokenizer: Any, dataset: Any, tag: str, *args: Any, **kwargs: Any) -> Any:
        if tag == "before":
            print(f"{WAITING} {tag}", flush=True)
            while True:
                signal.pause()  # the run's handler raises; nothing else wakes this
        return super().evaluate(model, tokenizer, dataset, tag, *args, **kwargs)


class CrashesAfterTraining(GreedyAccuracy):
    """A bug (not an rlvr error) in the evaluation after training, once training is done."""

    def evaluate(self, model: Any, tokenizer: Any, dataset: Any, tag: str, *args: Any, **kwargs: Any) -> Any:
        if tag == "after":
            raise RuntimeError("a bug in the evaluation after training")
        return super().evaluate(model, tokenizer, dataset, tag, *args, **kwargs)
