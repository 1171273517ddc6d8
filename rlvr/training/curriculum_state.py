"""The curriculum's state: which training row comes next, and what the rollouts said about each row.

Pure Python (no torch), so it is saved as JSON in every checkpoint and tested on its own. Rows are
drawn least-visited first — every row once before any row twice, as an epoch would — and among rows
visited equally often by difficulty: ``easy_first`` (highest pass rate first), ``hard_first`` (lowest
first) or ``none``; ties fall in a seeded pseudo-random order that changes with each visit. A row
without a rate (not profiled, not yet seen) counts as 0.5.

Online (``curriculum_online``) each visit's share of correct completions replaces the row's rate; a row
solved by every completion ``retire_after`` visits in a row retires (it no longer teaches), a row with
no correct completion sits out the next ``revisit_after`` optimizer steps, then comes back (having fewer
visits than the rest, it is drawn first). When the
rows ready to draw run short, waiting rows (soonest due first) and then retired rows fill in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rlvr.errors import ConfigError


@dataclass(frozen=True)
class CurriculumSettings:
    """``data.curriculum``, ``curriculum_online``, ``retire_after``, ``revisit_after`` (as the data
    component carries them in ``info["curriculum"]``) and the column holding the profiled rates."""

    order: str = "none"
    online: bool = False
    retire_after: int | None = 3
    revisit_after: int = 50
    pass_rate_column: str = "profile_pass_rate"


class Curriculum:
    """Rates, visits, all-solved streaks, retired rows and waiting rows of one training set."""

    def __init__(self, settings: CurriculumSettings, rates: Sequence[float | None], seed: int):
        self.settings, self.seed = settings, seed
        self.rates: list[float | None] = list(rates)
        self.visits = [0] * len(self.rates)
        self.streak = [0] * len(self.rates)
        self.retired: set[int] = set()
        self.waiting: dict[int, int] = {}  # row -> the global step from which it may be drawn again

    def static_order(self) -> list[int]:
        """Every row once, in curriculum order (the sampler's order when rates never change)."""
        return sorted(range(len(self.rates)), key=self._key)

    def pick(self, count: int, step: int) -> list[int]:
        """The next ``count`` rows at optimizer step ``step``; each counts as visited."""
        rows = range(len(self.rates))
        ready = sorted(
            (r for r in rows if r not in self.retired and self.waiting.get(r, 0) <= step), key=self._key
        )
        chosen = ready[:count]
        if len(chosen) < count:  # the pool ran short: the soonest-due waiting rows, then retired ones
            taken = set(chosen)
            spare = sorted(
                (r for r in rows if r not in taken),
                key=lambda r: (r in self.retired, self.waiting.get(r, 0), *self._key(r)),
            )
            chosen += spare[: count - len(chosen)]
        while chosen and len(chosen) < count:  # fewer rows than groups in a batch: repeat them
            chosen += chosen[: count - len(chosen)]
        for row in chosen:
            self.visits[row] += 1
        return chosen

    def record(self, rows: Sequence[int], solved: Sequence[float], step: int) -> None:
        """One visit each, generated at global step ``step`` (training step ``step + 1``): ``solved`` is the
        share of the row's completions judged correct."""
        for row, share in zip(rows, solved, strict=True):
            self.rates[row] = float(share)
            self.streak[row] = self.streak[row] + 1 if share >= 1.0 else 0
            if self.settings.retire_after is not None and self.streak[row] >= self.settings.retire_after:
                self.retired.add(row)
            if share <= 0.0 and self.settings.revisit_after > 0:
                self.waiting[row] = step + 1 + self.settings.revisit_after  # sits out the next N steps
            else:
                self.waiting.pop(row, None)

    def counts(self, step: int) -> dict[str, int]:
        """Rows retired, waiting at ``step``, and ready to draw."""
        waiting = sum(1 for row, due in self.waiting.items() if due > step and row not in self.retired)
        return {
            "retired": len(self.retired),
            "waiting": waiting,
            "ready": len(self.rates) - len(self.retired) - waiting,
        }

    def state(self) -> dict[str, Any]:
        """Everything :meth:`load` needs to continue exactly (JSON-ready)."""
        return {
            "rows": len(self.rates),
            "rates": self.rates,
            "visits": self.visits,
            "streak": self.streak,
            "retired": sorted(self.retired),
            "waiting": {str(row): due for row, due in sorted(self.waiting.items())},
        }

    def load(self, state: dict[str, Any]) -> None:
        if state.get("rows") != len(self.rates):
            raise ConfigError(
                f"the checkpoint's curriculum covers {state.get('rows')} training rows but the data has "
                f"{len(self.rates)}; resume with the data (and data.* keys) the run was started with"
            )
        self.rates = list(state["rates"])
        self.visits, self.streak = list(state["visits"]), list(state["streak"])
        self.retired = set(state["retired"])
        self.waiting = {int(row): int(due) for row, due in state["waiting"].items()}

    def _key(self, row: int) -> tuple[int, float, str]:
        rate = self.rates[row]
        rate = 0.5 if rate is None else rate
        difficulty = {"easy_first": -rate, "hard_first": rate}.get(self.settings.order, 0.0)
        tie = hashlib.blake2b(f"{self.seed}:{row}:{self.visits[row]}".encode(), digest_size=8).hexdigest()
        return self.visits[row], difficulty, tie
