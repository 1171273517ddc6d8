"""Read a JSONL file of objects a user hands a mode: a bad line is one ``rlvr:`` line, not a traceback.

``mode=score``'s input and the eval tables ``mode=compare`` reads share it, so a line that is not JSON or
not an object is the same :class:`~rlvr.errors.DataError` (exit 3, as for a bad line in a data file),
naming ``file:line``, what is wrong and the caller's fix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rlvr.errors import DataError


def json_objects(path: Path, fix: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line of ``path``; ``fix`` ends the error of a bad one."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(
                    f"{path}:{number}: not valid JSON ({err.msg} at column {err.colno}). Fix: {fix}"
                ) from err
            if not isinstance(record, dict):
                raise DataError(
                    f"{path}:{number}: a record must be a JSON object, got {type(record).__name__}. Fix: {fix}"
                )
            yield number, record
