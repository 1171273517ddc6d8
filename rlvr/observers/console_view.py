"""What a run prints: one progress bar, one aligned line per logging step, warnings, a summary table.

Levels (``observer.sinks.console.level``): ``quiet`` prints alarms and the final table only; ``normal``
adds the bar (steps, ETA, reward, accuracy once known) and one compact line per logging step;
``verbose`` prints every logged metric instead of the compact selection. The bar is ``tqdm`` on stderr; lines go through
:mod:`rlvr.console` with the bar lifted out of the way, so they never interleave.
"""

from __future__ import annotations

import sys
from typing import Any

from rlvr.console import say, warn

#: Compact line: (metric, label, width). Reward functions' means follow, under their own names.
COLUMNS = (
    ("loss", "loss", 8),
    ("reward", "reward", 7),
    ("reward_std", "±", 6),
    ("completions/mean_length", "len", 6),
    ("completions/clipped_ratio", "clip", 5),
    ("entropy", "ent", 6),
    ("kl", "kl", 7),
    ("grad_norm", "gnorm", 7),
    ("learning_rate", "lr", 8),
)
LEVELS = ("quiet", "normal", "verbose")
#: Eval report keys only the verbose level prints (they describe the setup, not the result).
EVAL_DETAILS = {"judge", "correct", "samples_per_problem", "temperature", "seconds"}


def console_level(value: str | bool) -> str:
    """A boolean level (``true``/``false``, the console's on/off form, still accepted) means ``normal``/``quiet``."""
    if isinstance(value, bool):
        return "normal" if value else "quiet"
    return value


class ConsoleView:
    """Console output of one run at one verbosity level."""

    def __init__(self, level: str | bool = "normal"):
        self.level = console_level(level)
        self.total: int | None = None
        self.accuracy: float | None = None
        self._bar: Any = None

    def setup(self, total: int | None) -> None:
        self.total = total
        if self.level != "quiet" and total:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total, desc="rlvr: train", unit="step", file=sys.stderr, dynamic_ncols=True
            )

    def train(self, step: int, metrics: dict[str, Any]) -> None:
        if self._bar is not None:
            self._bar.update(max(0, step - self._bar.n))
            postfix = {"reward": _short(metrics.get("reward"))}
            if self.accuracy is not None:
                postfix["acc"] = _short(self.accuracy)
            self._bar.set_postfix(postfix, refresh=True)
        if self.level == "verbose":
            self._say(f"step {step}: " + "  ".join(f"{k}={_short(v)}" for k, v in sorted(metrics.items())))
        elif self.level == "normal" and any(key in metrics for key, _, _ in COLUMNS):
            self._say(self.line(step, metrics))

    def line(self, step: int, metrics: dict[str, Any]) -> str:
        """``step  2/10  loss  0.2143  reward 0.625  ± 1.25  len  35.0 …`` — fixed widths, so columns align."""
        width = len(str(self.total or step))
        text = f"step {step:>{width}}" + (f"/{self.total}" if self.total else "")
        for key, label, size in COLUMNS:
            if key in metrics:
                text += f"  {label} {_short(metrics[key]):>{size}}"
        per_function = {
            k.split("/")[1]: v for k, v in metrics.items() if k.startswith("rewards/") and k.endswith("/mean")
        }
        if len(per_function) > 1:
            text += "  | " + "  ".join(f"{name} {_short(v)}" for name, v in per_function.items())
        return text

    def eval(self, step: int, metrics: dict[str, Any]) -> None:
        if "eval/accuracy" in metrics:
            self.accuracy = metrics["eval/accuracy"]
        if self.level == "quiet":
            return
        shown = {
            k: v
            for k, v in metrics.items()
            if k.startswith("eval/")
            and not isinstance(v, (dict, list))
            and (self.level == "verbose" or k[5:] not in EVAL_DETAILS and not k.startswith("eval/maj@"))
        }
        parts = [f"{k[5:]}={_short(v)}" for k, v in shown.items()]
        ci = metrics.get("eval/accuracy_ci")
        if isinstance(ci, list) and len(ci) == 2 and "eval/accuracy" in shown:
            parts[list(shown).index("eval/accuracy")] += f" [{_short(ci[0])}, {_short(ci[1])}]"
        self._say(f"eval {metrics.get('tag') or 'eval'} @ step {step}: " + "  ".join(parts))

    def data(self, info: dict[str, Any]) -> None:
        splits = info.get("splits", {})
        if self.level != "quiet" and splits:
            self._say("data: " + ", ".join(f"{name} {s['rows']} rows" for name, s in splits.items()))

    def alarm(self, message: str) -> None:
        self._write(warn, f"alarm: {message}")

    def summary(self, rows: list[tuple[str, str]]) -> None:
        """The final summary as a two-column table (always printed, even when quiet)."""
        self.close()
        width = max((len(k) for k, _ in rows), default=0)
        say("summary:\n" + "\n".join(f"  {k:<{width}}  {v}" for k, v in rows))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def _say(self, message: str) -> None:
        self._write(say, message)

    def _write(self, printer: Any, message: str) -> None:
        if self._bar is None:
            printer(message)
            return
        with self._bar.external_write_mode():
            printer(message)


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
