"""The one console voice of a run: every line rlvr prints starts with ``rlvr:``.

Progress goes to stdout, warnings and errors to stderr, so ``2>errors.txt`` keeps the problems and a
pipe to ``grep '^rlvr:'`` keeps rlvr's lines apart from the libraries' own output.
"""

from __future__ import annotations

import sys
from typing import Any

PREFIX = "rlvr:"


def say(message: str) -> None:
    """One progress line on stdout (flushed, so it shows up in order under a job scheduler)."""
    print(f"{PREFIX} {message}", flush=True)


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"{PREFIX} warning: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """One error line on stderr (the caller decides the exit status)."""
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


def progress(items: Any, what: str, unit: str = "batch") -> Any:
    """``items`` with a progress bar on stderr (``rlvr: <what>``) when there are at least two of them:
    long evaluations show their progress, one-batch ones print nothing."""
    items = list(items)
    if len(items) < 2:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=f"{PREFIX} {what}", unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)
