"""Misbehaving and helper scorers for the adapter tests, importable as ``_target_``s."""

from __future__ import annotations

import math
import time
from typing import Any


def raise_every_third(completion: str, answer: str) -> float:
    """1.0, except that it raises on every sample whose answer is a multiple of 3 (depends on data only)."""
    if int(answer) % 3 == 0:
        raise ZeroDivisionError(f"cannot score answer {answer}")
    return 1.0


def sleepy(completion: str, seconds: float = 1.0) -> float:
    time.sleep(seconds)
    return 1.0


def returns(completion: str, value: str = "nan") -> Any:
    """Returns a bad value chosen by name, so one scorer covers every return-check case."""
    return {"nan": math.nan, "inf": math.inf, "string": "1.0", "bool": True, "list": [1.0], "none": None}[
        value
    ]


def echo_inputs(completion: str, prompt: Any = None, completion_ids: Any = None) -> float:
    """Encodes the runtime inputs it received: 1 per present prompt, 10 x number of token ids."""
    return (1.0 if prompt else 0.0) + 10.0 * len(completion_ids or [])


def batched_length(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float]:
    """A TRL-style batched reward: the length of each completion."""
    return [float(len(c)) for c in completions]


def batched_short(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float]:
    """A TRL-style batched reward with a bug: one reward too few."""
    return [1.0] * (len(completions) - 1)
