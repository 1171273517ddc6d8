"""The observer of the ranks that do not write: same members as any observer, no output at all.

    observer = for_rank(build(cfg.observer), run_dir)   # the configured one on rank 0, this elsewhere

In a multi-process launch every rank trains and evaluates, but only rank 0's observer prints, writes
``metrics.jsonl`` and opens W&B / TensorBoard (one W&B run per launch, not one per rank). The choice
follows :attr:`rlvr.run_dir.RunDir.writer`, so no observer checks ranks itself.
"""

from __future__ import annotations

from typing import Any

from rlvr.interfaces import Observer


class SilentObserver:
    """Accepts every observer call and does nothing with it."""

    def start(self, run_dir: Any, config: dict[str, Any]) -> None:
        pass

    def log_metrics(self, metrics: dict[str, Any], step: int, kind: str = "train") -> None:
        pass

    def log_eval(self, report: dict[str, Any], step: int) -> None:
        pass

    def log_table(self, name: str, rows: list[dict[str, Any]], step: int) -> None:
        pass

    def completions_every(self) -> int:
        return 0

    def finish(self, summary: dict[str, Any] | None = None) -> None:
        pass


def for_rank(observer: Observer, run_dir: Any) -> Observer:
    """``observer`` where ``run_dir`` is written (rank 0), a :class:`SilentObserver` elsewhere."""
    return observer if getattr(run_dir, "writer", True) else SilentObserver()
