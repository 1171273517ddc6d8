"""The ``>>>`` examples in rlvr's docstrings run and print what they show.

An example in a docstring is documentation that can rot; running it here keeps it true without
turning on ``--doctest-modules`` for the whole tree (which would import every module, heavy ones too).
Every module whose source holds an example is found by scanning, so a new example is tested at once.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _modules_with_examples() -> list[str]:
    found = []
    for path in sorted((ROOT / "rlvr").rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = _modules_with_examples()


def test_the_answer_parser_has_examples() -> None:
    assert "rlvr.answers" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), verbose=False, report=True)
    assert result.attempted > 0, f"{name}: '>>>' found in the source but no example ran"
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"


def test_a_wrong_example_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: an example whose shown output is wrong is counted as a failure."""
    (tmp_path / "wrong_example.py").write_text('"""\n>>> 1 + 1\n3\n"""\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    result = doctest.testmod(importlib.import_module("wrong_example"), report=False)
    assert (result.attempted, result.failed) == (1, 1)
