"""One console voice: `rlvr:` lines, and progress bars only where there is progress to show."""

from __future__ import annotations

import pytest

from rlvr.console import progress, say, warn


def test_lines_carry_the_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    say("data: 3 rows")
    warn("no eval rows")
    captured = capsys.readouterr()
    assert captured.out == "rlvr: data: 3 rows\n"
    assert captured.err == "rlvr: warning: no eval rows\n"


def test_progress_bar_for_long_work_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert progress(range(1), "eval") == [0]  # one batch: no bar
    assert capsys.readouterr().err == ""
    assert list(progress(range(3), "eval (12 problems)")) == [0, 1, 2]
    assert "rlvr: eval (12 problems)" in capsys.readouterr().err
