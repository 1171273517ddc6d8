"""The errors rlvr raises on purpose, each with its exit status, so the command line can print one line.

``run_pipeline.py`` prints ``rlvr: <message>`` for these, without a traceback, and exits with the class's
status: 2 config, 3 data, 4 model, 5 environment (a missing package or device), 6 training,
7 output (a result could not be written). Any other
exception is a bug and keeps its traceback. ``debug=true`` (or ``HYDRA_FULL_ERROR=1``) shows the
traceback for ours too. Each class also derives from the built-in error callers caught before, so code
that catches ``ValueError`` or ``OSError`` keeps working.
"""

from __future__ import annotations


class RlvrError(Exception):
    """A problem rlvr diagnosed; its message names the key or file, the value and the fix."""

    exit_code = 1


class ConfigError(RlvrError, ValueError):
    exit_code = 2


class DataError(RlvrError, ValueError):
    exit_code = 3


class DataFileMissing(DataError, FileNotFoundError):
    """A data file named in the config does not exist."""


class ModelError(RlvrError, OSError):
    exit_code = 4


class SetupError(RlvrError, ImportError):
    """A package or device the configuration needs is missing."""

    exit_code = 5


class TrainingError(RlvrError, FloatingPointError):
    """Training cannot go on (e.g. non-finite weights or gradients)."""

    exit_code = 6


class OutputError(RlvrError, OSError):
    """A result could not be written (disk full, no permission); the message lists what was saved."""

    exit_code = 7


class CheckFailed(RlvrError):
    """``mode=check`` found problems in the data or the rewards; the message lists them."""

    exit_code = 1


class Interrupted(RlvrError):
    """Training stopped on SIGINT/SIGTERM after saving a checkpoint; the message gives the resume command."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code
