"""Config error types. Every message names the key, the value, the rule it breaks and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rlvr.errors import ConfigError


@dataclass(frozen=True)
class ConfigIssue:
    """One problem found in the composed config."""

    key: str
    value: Any
    rule: str
    fix: str

    def __str__(self) -> str:
        return f"{self.key}={self.value!r}: {self.rule}. Fix: {self.fix}"


class ConfigValidationError(ConfigError):
    """Raised with *all* issues at once, so a user fixes their config in one pass."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = list(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"{len(self.issues)} config error(s):\n{lines}")


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name`` (for 'did you mean' hints), or None when nothing is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key_issue(prefix: str, name: str, value: Any, valid: Iterable[str], what: str) -> ConfigIssue:
    """Issue for a key that is not accepted, suggesting the closest valid key."""
    valid = sorted(valid)
    guess = closest(name, valid)
    fix = f"did you mean {prefix}.{guess}?" if guess else f"remove it; valid keys are listed in {what}"
    return ConfigIssue(f"{prefix}.{name}", value, f"unknown key: not accepted by {what}", fix)
