"""The files a mode reads, named on the command line (``input=``, ``a=``, ``b=``), checked at validation.

One rule for each such key, so every mode says a missing or absent input the same way: unset, it names what
the mode needs and the spelling to add; set to a path that does not exist (or a ``pkg://`` file of a
package that is not installed), it says why and where to point it.
"""

from __future__ import annotations

from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.paths import missing_path_problem


def input_path_issue(key: str, value: Any, needs: str, spelling: str, noun: str) -> ConfigIssue | None:
    """``key`` names an existing file or directory: ``needs`` when unset (fix: ``add key=<spelling>``),
    the path's problem when it does not exist (fix: point it at an existing ``noun``); None when it does."""
    if not value:
        return ConfigIssue(key, value, needs, f"add {key}={spelling} (e.g. a run's eval_samples_after.jsonl)")
    if problem := missing_path_problem(str(value)):
        return ConfigIssue(key, value, problem, f"point {key}= at an existing {noun}")
    return None
