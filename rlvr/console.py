"""The one console voice of a run: every line rlvr prints starts with ``rlvr:``.

Progress goes to stdout, warnings and errors to stderr, so ``2>errors.txt`` keeps the problems and a
pipe to ``grep '^rlvr:'`` keeps rlvr's lines apart from the libraries' own output. Known secrets are
masked in every line (:mod:`rlvr.redaction`).

In a multi-process launch (``accelerate launch``, ``torchrun``) progress is printed by global rank 0 only;
warnings, errors and debug lines come from every rank, tagged ``[rank N]`` on the others.
"""

from __future__ import annotations

import sys
from typing import Any

from rlvr.launch import rank
from rlvr.redaction import redact_text

PREFIX = "rlvr:"


def _prefix() -> str:
    return PREFIX if rank() == 0 else f"{PREFIX} [rank {rank()}]"


def say(message: str) -> None:
    """One progress line on stdout (flushed, so it shows up in order under a job scheduler); rank 0 only."""
    if rank() == 0:
        print(f"{PREFIX} {redact_text(message)}", flush=True)


def warn(message: str) -> None:
    """One warning line on stderr."""
    print(f"{_prefix()} warning: {redact_text(message)}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    """One error line on stderr (the caller decides the exit status)."""
    print(f"{_prefix()} {redact_text(message)}", file=sys.stderr, flush=True)


def debug(message: str) -> None:
    """One diagnostic line on stderr, from every rank (callers print it only with ``debug=true``)."""
    print(f"{_prefix()} debug: {redact_text(message)}", file=sys.stderr, flush=True)


def progress(items: Any, what: str, unit: str = "batch") -> Any:
    """``items`` with a progress bar on stderr (``rlvr: <what>``) when there are at least two of them:
    long evaluations show their progress, one-batch ones print nothing."""
    items = list(items)
    if len(items) < 2 or rank() != 0:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=f"{PREFIX} {what}", unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True)
