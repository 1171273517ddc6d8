"""The composed default config equals its committed snapshot, so no default changes unnoticed."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.config.cli import run_cli
from tests.config.regenerate_snapshot import COMMAND, HEADER, SNAPSHOT, render


def test_default_config_matches_the_snapshot() -> None:
    expected = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    actual = render()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"{SNAPSHOT.name} (committed)",
                tofile="composed from conf/ now",
            )
        )
        pytest.fail(
            f"The composed default config differs from {SNAPSHOT.name}:\n{diff}\n"
            f"If the change is intended, regenerate the snapshot with `{COMMAND}` and commit it.",
            pytrace=False,
        )


def test_snapshot_is_what_cfg_job_prints(tmp_path: Path) -> None:
    result = run_cli(["--cfg", "job"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert HEADER + result.stdout == render()
