"""What every data component shares: the splits container, file/hub reading, sizing and carving.

A data component is a class whose constructor takes its YAML keys and whose ``load(prompt)`` returns
:class:`DataSplits`: ``datasets.Dataset`` objects with at least ``prompt`` (built by the prompt
component) and ``answer`` (the normalised gold answer the rewards compare against). Extra columns
travel to the reward functions, which can name them as arguments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rlvr.answers import parse_number
from rlvr.errors import DataError, DataFileMissing
from rlvr.interfaces import DataSplits
from rlvr.paths import resolve_path

if TYPE_CHECKING:
    from datasets import Dataset

__all__ = [
    "BadRow",
    "DataSplits",
    "UnparseableAnswer",
    "canonical_number",
    "read_records",
    "require_fields",
    "text_field",
]

SUPPORTED_SUFFIXES = (".json", ".jsonl", ".parquet", ".csv")


class UnparseableAnswer(ValueError):
    """Raised by a task's row mapping when a gold answer cannot be read (the policy decides what next)."""


class BadRow(ValueError):
    """A row that cannot be used as it is, e.g. a null or empty question (``data.on_bad_row`` decides)."""


def text_field(row: dict[str, Any], name: str) -> str:
    """``row[name]`` as text; a null or blank value is a :class:`BadRow` (it would train as "None")."""
    value = row.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadRow(f"field {name!r} is {'null' if value is None else 'empty'}")
    return str(value)


def canonical_number(text: str | None) -> str | None:
    """A gold number as a plain string: ``"1,250"`` → ``"1250"``, ``"$5.50"`` → ``"5.5"``, ``"-3"`` → ``"-3"``."""
    value = parse_number(text)
    if value is None:
        return None
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def require_fields(row: dict[str, Any], *fields: str) -> None:
    """Raise a KeyError naming the missing field and the columns the row does have."""
    for name in fields:
        if name not in row:
            raise KeyError(
                f"data row has no field {name!r} (available: {sorted(row)}); "
                "set data.question_field / data.answer_field to the right columns"
            )


def read_records(path_value: str, on_bad_row: str = "error") -> tuple[list[dict[str, Any]], int]:
    """(rows, skipped) of a local JSON (list of objects), JSONL, parquet or CSV file. A malformed JSONL
    line raises an error naming ``file:line`` — or is skipped and counted with ``on_bad_row="skip"``."""
    path = resolve_path(path_value)
    if not path.is_file():
        raise DataFileMissing(f"data file {path_value!r} not found (resolved to {path}); check data.path")
    suffix = path.suffix.lower()
    text = read_text(path) if suffix in (".jsonl", ".json", ".csv") else ""
    if suffix == ".jsonl":
        rows, skipped = [], 0
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError(f"expected a JSON object, got {type(row).__name__}")
            except ValueError as err:
                if on_bad_row == "skip":
                    skipped += 1
                    continue
                reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
                raise DataError(
                    f"{path}:{lineno}: malformed JSON line ({reason}); fix the line or set "
                    "data.on_bad_row=skip to skip and count such lines"
                ) from err
            rows.append(row)
        return rows, skipped
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(f"{path}:{err.lineno}: malformed JSON ({err.msg})") from err
        rows = data if isinstance(data, list) else data.get("data", [data])
        return [r for r in rows if isinstance(r, dict)], sum(not isinstance(r, dict) for r in rows)
    if suffix in (".parquet", ".csv"):
        from datasets import load_dataset

        return load_dataset(suffix[1:], data_files=str(path), split="train").to_list(), 0
    raise DataError(
        f"{path}: unsupported data file type {suffix!r}. Fix: use one of {', '.join(SUPPORTED_SUFFIXES)}"
    )


def read_text(path: Path) -> str:
    """A data file's text: UTF-8 (a byte-order mark is fine). Anything else is a DataError naming the
    file, the line and the byte, not a bare UnicodeDecodeError."""
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            f"{path}: the file is UTF-16, not UTF-8. Fix: save it as UTF-8 "
            f"(e.g. iconv -f UTF-16 -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix})"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise DataError(
            f"{path}:{line}: byte 0x{raw[err.start]:02x} is not UTF-8 (a Latin-1 or Windows-1252 file?). "
            f"Fix: save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8 {path.name} > {path.stem}.utf8{path.suffix})"
        ) from err


def read_hub_split(
    hub_id: str, hub_config: str | None, split: str, revision: str | None
) -> list[dict[str, Any]]:
    """Rows of one split of a hub dataset; when the hub is unreachable, say how to use local files instead."""
    from datasets import load_dataset

    try:
        return load_dataset(hub_id, hub_config, split=split, revision=revision).to_list()
    except Exception as err:
        raise DataError(
            f"could not load split {split!r} of hub dataset {hub_id!r} (config {hub_config!r}): {err}. "
            "Offline? Point data.path (and data.eval_path) at local JSON/JSONL/parquet/CSV files instead."
        ) from err


def take(rows: list[dict[str, Any]], limit: int | None, seed: int) -> list[dict[str, Any]]:
    """A seeded random subset of at most ``limit`` rows (all rows, in order, when limit is None)."""
    if limit is None or limit >= len(rows):
        return rows
    import random

    picked = sorted(random.Random(seed).sample(range(len(rows)), limit))
    return [rows[i] for i in picked]


def carve_holdout(rows: list[dict[str, Any]], size: int, seed: int) -> tuple[list[dict], list[dict]]:
    """Split ``size`` seeded random rows off ``rows`` as a held-out set: (remaining, held_out)."""
    import random

    size = min(size, len(rows) // 2)
    held = set(random.Random(seed).sample(range(len(rows)), size))
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def to_dataset(rows: list[dict[str, Any]]) -> Dataset:
    from datasets import Dataset

    return Dataset.from_list(rows)
