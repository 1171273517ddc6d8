"""Format-compliance rewards: does the completion state its answer the way the prompt asked?"""

from __future__ import annotations

import re

from rlvr.answers import STRATEGIES, parse_number

# A completion complies when the asked-for form holds a number; for `hash` it must also be the last line,
# since GSM8K-style prompts ask for the answer to end the response.
_HASH_LAST_LINE = re.compile(r"####\s*[^\n]*\s*$")


def format_compliance(completion: str, answer_format: str = "hash", format_reward: float = 0.5,
                  missing_reward: float = 0.0) -> float:
    """``format_reward`` when the answer appears in ``answer_format`` with a parseable number
    (``hash``: a final ``#### N`` line; ``boxed``, ``answer_tag``, ``answer_is``); else ``missing_reward``."""
    if answer_format not in STRATEGIES:
        raise ValueError(f"unknown answer_format {answer_format!r}; use one of {sorted(STRATEGIES)}")
    if answer_format == "hash" and not _HASH_LAST_LINE.search(completion.strip()):
        return missing_reward
    return format_reward if parse_number(STRATEGIES[answer_format](completion)) is not None else missing_reward
