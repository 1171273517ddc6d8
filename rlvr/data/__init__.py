"""Data components: each loads a task's splits and returns rows with a ``prompt`` and an ``answer`` column."""

from rlvr.data.base import DataSplits

__all__ = ["DataSplits"]
