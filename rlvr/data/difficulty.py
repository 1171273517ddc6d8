"""Training rows by difficulty: row ids, the profile table, the pass-rate band and the curriculum keys.

    python run_pipeline.py mode=profile                                  # writes difficulty.jsonl
    python run_pipeline.py data.difficulty_file=<run>/difficulty.jsonl "data.pass_rate=[0.1,0.9]"
    python run_pipeline.py data.difficulty_file=<run>/difficulty.jsonl data.curriculum=easy_first

``mode=profile`` (:mod:`rlvr.modes.profile`) measures each training row's pass rate; these keys, shared
by every data component through :class:`~rlvr.data.policy.RowPolicy`, use it. A row is matched to its
profile line by :func:`row_id` — its ``id`` column, else a digest of its question (or prompt) and gold
answer — so the match survives another row order, ``max_train_samples`` or a different prompt template.
The band keeps rows whose profiled pass rate lies in ``[low, high]``; rows the profile does not cover
are dropped too, and each rule's count goes into the split's report (:class:`ProfileRule`). The curriculum keys are carried to
the trainer (:mod:`rlvr.training.curriculum`) with each row's pass rate in :data:`PASS_RATE_COLUMN`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rlvr.errors import DataError
from rlvr.paths import resolve_path

#: The train column holding each row's profiled pass rate (None when the profile has no line for it).
PASS_RATE_COLUMN = "profile_pass_rate"


def row_id(row: dict[str, Any]) -> str:
    """A row's identity across loads: its ``id`` column when set, else ``sha256:`` and 16 hex digits of
    its question (its prompt when it has no question column) and gold answer."""
    if row.get("id") not in (None, ""):
        return str(row["id"])
    text = row.get("question")
    if text is None:
        text = json.dumps(row.get("prompt"), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{text}\x00{row.get('answer')}".encode()).hexdigest()
    return f"sha256:{digest[:16]}"


def read_difficulty(path_value: str) -> dict[str, float]:
    """``{row id: pass rate}`` from a ``difficulty.jsonl`` written by ``mode=profile``."""
    path = resolve_path(path_value)
    table: dict[str, float] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            table[str(record["id"])] = float(record["pass_rate"])
        except (ValueError, KeyError, TypeError) as err:
            raise DataError(
                f"{path}:{lineno}: not a difficulty line ({err}); data.difficulty_file must be a "
                "difficulty.jsonl written by mode=profile (one {id, pass_rate, ...} object per line)"
            ) from err
    return table


class ProfileRule:
    """The profile applied row by row while the train split is mapped (before prompt lengths are measured,
    so the length statistics describe the rows kept): each example gets its rate in
    :data:`PASS_RATE_COLUMN`; with ``band``, rows outside it or missing from the profile are dropped, and
    :meth:`report` counts what each rule dropped."""

    def __init__(self, path_value: str, band: list[float] | None):
        self.path, self.table, self.band = path_value, read_difficulty(path_value), band
        self.counts = {"not_in_profile": 0, "below_band": 0, "above_band": 0}
        self.seen = 0

    def keep(self, example: dict[str, Any]) -> bool:
        self.seen += 1
        rate = self.table.get(row_id(example))
        rule = None if rate is not None else "not_in_profile"
        if self.band is not None and rate is not None:
            rule = "below_band" if rate < self.band[0] else "above_band" if rate > self.band[1] else None
        if rule is not None:
            self.counts[rule] += 1
            if self.band is not None:
                return False
        example[PASS_RATE_COLUMN] = rate
        return True

    def report(self) -> dict[str, int]:
        """``dropped_<rule>`` per rule with a band; without one, how many kept rows the profile lacks."""
        if self.band is None:
            return {"not_in_profile": self.counts["not_in_profile"]}
        return {f"dropped_{rule}": count for rule, count in self.counts.items()}

    def summary(self) -> str:
        low, high = self.band or (0, 1)
        kept = self.seen - sum(self.counts.values())
        return (
            f"data: pass-rate band [{low}, {high}] from {self.path}: kept {kept} of {self.seen} train rows "
            f"(dropped {self.counts['below_band']} below, {self.counts['above_band']} above, "
            f"{self.counts['not_in_profile']} not in the profile)"
        )
