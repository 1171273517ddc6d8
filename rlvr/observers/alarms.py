"""Health alarms: the signs that a GRPO run is not learning, spotted while it runs.

    monitor = HealthMonitor(AlarmSettings(entropy_min=0.1))    # or a mapping, or None for the defaults
    for step, metrics in stream:
        for alarm in monitor.update(metrics, step):     # new alarms only; each fires once
            warn(alarm.message)

Pure logic on metric dicts (no I/O), so each rule is tested on synthetic streams. The thresholds are
``observer.alarms`` (:class:`AlarmSettings`, checked from its annotations at validation). The rules:

* ``truncation``: ``completions/clipped_ratio`` above ``clipped_ratio`` for ``clipped_steps`` logging
  steps in a row — completions hit ``train.max_completion_length`` and lose their answers.
* ``no_signal``: ``frac_reward_zero_std`` above ``zero_std`` for ``zero_std_steps`` steps — every
  completion of a group scores the same, so GRPO's advantages are zero and nothing is learned.
* ``entropy_collapse``: ``entropy`` below ``entropy_min`` for ``entropy_steps`` steps — the policy has
  become deterministic and stops exploring.
* ``reward_hacking``: a format reward (``rewards/*format*/mean``) rose by ``format_rise`` since the
  previous evaluation while eval accuracy fell.
* ``non_finite``: any metric NaN or ±inf (TRL logs ``grad_norm`` as NaN after an overflow).
* ``reward_errors``: ``rewards/<name>/errors`` above zero — a reward function raised (or timed out) and
  got its fallback.
* ``unscored``: ``rewards/<name>/mean`` empty (None or NaN) at a training step — the function returned
  None for every completion of the step, so it gives no learning signal (its ``non_finite`` NaN is this).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast, AtMost

#: A fraction of a batch (0..1).
Fraction = Annotated[float, AtLeast(0), AtMost(1)]
#: How many logging steps in a row a rule must hold before it fires.
Steps = Annotated[int, AtLeast(1)]


@dataclass(frozen=True)
class AlarmSettings(Settings):
    """``observer.alarms``: the thresholds of the health rules (the defaults are the YAML's)."""

    #: Watch the run at all.
    enabled: bool = True
    #: Truncation: completions/clipped_ratio above this...
    clipped_ratio: Fraction = 0.5
    #: ...for this many logging steps in a row.
    clipped_steps: Steps = 2
    #: No learning signal: frac_reward_zero_std above this...
    zero_std: Fraction = 0.9
    #: ...for this many logging steps in a row.
    zero_std_steps: Steps = 5
    #: Entropy collapse: entropy below this...
    entropy_min: Annotated[float, AtLeast(0)] = 0.05
    #: ...for this many logging steps in a row.
    entropy_steps: Steps = 3
    #: Reward hacking: a format reward rose by more than this while eval accuracy fell.
    format_rise: Annotated[float, AtLeast(0)] = 0.1


#: (alarm name, metric, threshold field, run-length field, fires when above?) for the "n steps in a row" rules.
_STREAK_RULES = (
    ("truncation", "completions/clipped_ratio", "clipped_ratio", "clipped_steps", True),
    ("no_signal", "frac_reward_zero_std", "zero_std", "zero_std_steps", True),
    ("entropy_collapse", "entropy", "entropy_min", "entropy_steps", False),
)
_ADVICE = {
    "truncation": "raise train.max_completion_length, or reward shorter answers",
    "no_signal": "raise train.num_generations or train.temperature, or use easier/denser rewards",
    "entropy_collapse": "lower train.learning_rate, or raise train.temperature",
    "reward_hacking": "check eval samples: the policy may game the format reward; lower its weight",
    "non_finite": "lower train.learning_rate or set train.max_grad_norm; check bf16/fp16 overflow",
    "reward_errors": "see the reward function's first traceback in the log; fix it or its params",
    "unscored": "check what it reads (the dataset columns it names, the answer format it expects)",
}


@dataclass(frozen=True)
class Alarm:
    """One fired alarm: which rule, at which step, and a message that says what to do."""

    name: str
    step: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class HealthMonitor:
    """Feeds on metric dicts in order; returns each alarm the first time its rule fires (per metric)."""

    def __init__(self, settings: AlarmSettings | Mapping[str, Any] | None = None):
        self.settings = AlarmSettings.of(settings)
        self.fired: list[Alarm] = []
        self._streaks: dict[str, int] = {}
        self._seen: set[str] = set()
        self._format: dict[str, float] = {}  # format reward metric → latest value
        self._format_at_eval: dict[str, dict[str, float]] = {}  # per eval series
        self._format_first: dict[str, float] = {}  # the baseline when no eval preceded training
        self._accuracy: dict[str, float] = {}  # latest eval accuracy per series

    def update(self, metrics: dict[str, Any], step: int, kind: str = "train") -> list[Alarm]:
        """New alarms raised by this record (already-fired ones are not repeated)."""
        if not self.settings.enabled:
            return []
        found = self._non_finite(metrics, step)
        if kind == "eval":
            found += self._hacking(metrics, step)
        else:
            found += self._streak_alarms(metrics, step) + self._reward_errors(metrics, step)
            found += self._unscored(metrics, step)
            latest = {
                k: float(v)
                for k, v in metrics.items()
                if "format" in k and k.endswith("/mean") and _finite(v)
            }
            self._format |= latest
            self._format_first = {**latest, **self._format_first}
        return self._once(found)

    def _once(self, alarms: list[tuple[str, str, int, str]]) -> list[Alarm]:
        new = []
        for name, key, step, text in alarms:
            if f"{name}:{key}" not in self._seen:
                self._seen.add(f"{name}:{key}")
                new.append(Alarm(name, step, f"{name} at step {step}: {text}; {_ADVICE[name]}"))
        self.fired += new
        return new

    def _non_finite(self, metrics: dict[str, Any], step: int) -> list[tuple[str, str, int, str]]:
        return [
            ("non_finite", k, step, f"{k} is {v}")
            for k, v in metrics.items()
            if isinstance(v, (int, float))
            and not isinstance(v, bool)
            and not math.isfinite(v)
            and not _unscored_key(k, v)  # a reward's empty mean is the unscored alarm's
        ]

    def _unscored(self, metrics: dict[str, Any], step: int) -> list[tuple[str, str, int, str]]:
        return [
            (
                "unscored",
                k,
                step,
                f"reward {k.split('/')[1]!r} returned None for every completion ({k} is empty)",
            )
            for k, v in metrics.items()
            if _unscored_key(k, v)
        ]

    def _streak_alarms(self, metrics: dict[str, Any], step: int) -> list[tuple[str, str, int, str]]:
        found = []
        for name, key, limit_key, steps_key, above in _STREAK_RULES:
            value = metrics.get(key)
            if not _finite(value):
                continue
            limit, needed = getattr(self.settings, limit_key), getattr(self.settings, steps_key)
            bad = value > limit if above else value < limit
            self._streaks[name] = self._streaks.get(name, 0) + 1 if bad else 0
            if self._streaks[name] >= needed:
                side = "above" if above else "below"
                found.append((name, key, step, f"{key}={value:.3g} {side} {limit} for {needed} step(s)"))
        return found

    def _reward_errors(self, metrics: dict[str, Any], step: int) -> list[tuple[str, str, int, str]]:
        return [
            ("reward_errors", k, step, f"{k}={v:.3g} (calls that raised or timed out)")
            for k, v in metrics.items()
            if k.startswith("rewards/") and k.endswith("/errors") and _finite(v) and v > 0
        ]

    def _hacking(self, metrics: dict[str, Any], step: int) -> list[tuple[str, str, int, str]]:
        """Compare with the previous eval of the same series: in-training points (``tag: periodic``, a
        subset of rows) and the before/after evaluations (all eval rows) are not comparable."""
        accuracy = metrics.get("eval/accuracy")
        if not _finite(accuracy):
            return []
        series = "periodic" if metrics.get("tag") == "periodic" else "final"
        previous, format_then = self._accuracy.get(series), self._format_at_eval.get(series, {})
        found = []
        if previous is not None and accuracy < previous:
            for key, value in self._format.items():
                rise = value - format_then.get(key, self._format_first[key])
                if rise > self.settings.format_rise:
                    text = (
                        f"{key} rose by {rise:.3g} while eval accuracy fell {previous:.3g} → {accuracy:.3g}"
                    )
                    found.append(("reward_hacking", key, step, text))
        self._accuracy[series], self._format_at_eval[series] = accuracy, dict(self._format)
        return found


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _unscored_key(key: str, value: Any) -> bool:
    """A per-function reward mean (``rewards/<name>/mean``) that is empty: None or NaN."""
    if not (key.startswith("rewards/") and key.endswith("/mean") and key.count("/") == 2):
        return False
    return value is None or (isinstance(value, float) and math.isnan(value))
