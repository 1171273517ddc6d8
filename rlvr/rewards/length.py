"""Length shaping: DAPO's soft overlong penalty.

No penalty up to ``max_length - buffer``; inside the last ``buffer`` units the penalty grows linearly to
``-penalty``; past ``max_length`` it stays at ``-penalty``. Set ``max_length`` to the trainer's
``max_completion_length`` so truncated completions get the full penalty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr.rewards.adapter import param_rules


def _length_rules(params: dict[str, Any]) -> list[str]:
    max_length, buffer = params.get("max_length", 1024), params.get("buffer", 256)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (max_length, buffer)):
        return [f"max_length ({max_length!r}) and buffer ({buffer!r}) must be whole numbers"]
    if max_length <= 0 or buffer <= 0:
        return [f"max_length ({max_length}) and buffer ({buffer}) must be > 0"]
    return []


@param_rules(_length_rules)
def overlong_penalty(
    completion: str,
    completion_ids: Sequence[int] | None = None,
    max_length: int = 1024,
    buffer: int = 256,
    penalty: float = 1.0,
) -> float:
    """0.0 for short completions, falling linearly to ``-penalty`` over the last ``buffer`` units before
    ``max_length``, and ``-penalty`` beyond it.

    Length is counted in tokens, ``len(completion_ids)``, which the trainer passes for each sample. When
    no token ids exist (``mode=score`` on saved text) it falls back to whitespace-separated words of
    ``completion``, a rough proxy: a word is ~1.3 tokens for English, so scores from text alone are lenient."""
    problems = _length_rules({"max_length": max_length, "buffer": buffer})
    if problems:
        raise ValueError(f"overlong_penalty: {problems[0]}")
    length = len(completion_ids) if completion_ids is not None else len(completion.split())
    start = max(0, max_length - buffer)  # a buffer longer than max_length ramps from the first token
    if length <= start:
        return 0.0
    return -penalty * min(1.0, (length - start) / (max_length - start))
