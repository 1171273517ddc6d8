"""Where a task's rows come from: a local file (``path``/``eval_path``) or a hub dataset, sized and split.

Shared by every task loader (composition, not inheritance): a task builds a :class:`RowSource` from
its YAML keys, calls :meth:`RowSource.load`, then maps each raw row to an example with its own
function. :func:`build_splits` does the mapping and counts rows whose gold answer cannot be parsed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rlvr.data.base import DataSplits, carve_holdout, read_hub_split, read_records, take, to_dataset
from rlvr.paths import resolve_path

Row = dict[str, Any]


@dataclass
class RowSource:
    """Selection of train/eval rows. With ``path`` set the hub is never contacted."""

    hub_id: str | None = None
    hub_config: str | None = None
    revision: str | None = None
    path: str | None = None
    eval_path: str | None = None
    train_split: str = "train"
    eval_split: str | None = "test"
    eval_holdout: int = 0
    max_train_samples: int | None = None
    max_eval_samples: int | None = None
    seed: int = 42

    def load(self) -> tuple[list[Row], list[Row], dict[str, Any]]:
        """(train rows, eval rows, info); eval rows come from eval_path, the hub eval split, or a held-out
        slice of train (``eval_holdout`` rows) — in that order of preference."""
        if self.path:
            train = read_records(self.path)
            evaluation = read_records(self.eval_path) if self.eval_path else []
            info: dict[str, Any] = {"source": self.path, "sha256": _file_digest(self.path)}
        elif self.hub_id:
            train = read_hub_split(self.hub_id, self.hub_config, self.train_split, self.revision)
            evaluation = (
                read_hub_split(self.hub_id, self.hub_config, self.eval_split, self.revision)
                if self.eval_split
                else []
            )
            info = {"source": self.hub_id, "config": self.hub_config, "revision": self.revision}
        else:
            raise ValueError("no data source: set data.path (local file) or data.hub_id")
        if not evaluation and self.eval_holdout:
            train, evaluation = carve_holdout(train, self.eval_holdout, self.seed)
        train = take(train, self.max_train_samples, self.seed)
        evaluation = take(evaluation, self.max_eval_samples, self.seed)
        return train, evaluation, info


def _file_digest(path_value: str) -> str:
    return hashlib.sha256(resolve_path(path_value).read_bytes()).hexdigest()[:16]


def build_splits(
    train: list[Row], evaluation: list[Row], to_example: Callable[[Row], Row | None], info: dict[str, Any]
) -> DataSplits:
    """Map raw rows to examples; rows mapped to None (unparseable gold answer) are dropped and counted."""
    counts = {}
    splits = {}
    for name, rows in (("train", train), ("eval", evaluation)):
        examples = [to_example(row) for row in rows]
        kept = [e for e in examples if e is not None]
        counts[name] = {"rows": len(kept), "dropped_unparseable": len(examples) - len(kept)}
        splits[name] = to_dataset(kept) if kept else None
    if splits["train"] is None:
        raise ValueError(
            f"no usable training rows in {info.get('source')!r} "
            f"({counts['train']['dropped_unparseable']} dropped for unparseable gold answers)"
        )
    return DataSplits(train=splits["train"], eval=splits["eval"], info={**info, "splits": counts})
