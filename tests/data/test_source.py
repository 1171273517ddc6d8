"""Where rows come from: held-out carving states the rows it really carved, and warns when it is capped.

``carve_holdout`` never takes more than half the rows (training keeps the rest), so ``eval_holdout: 100``
on a 12-row file holds out 6. The data report and the console must say 6, not 100.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.data.generic import GenericQAData
from rlvr.data.source import RowSource
from rlvr.prompts import PromptTemplate


def _rows_file(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text(
        "".join(json.dumps({"question": f"{i} + 1?", "answer": str(i + 1)}) + "\n" for i in range(n))
    )
    return path


def test_a_capped_holdout_reports_the_rows_really_held_out(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    train, held, info = RowSource(path=str(_rows_file(tmp_path, 12)), eval_holdout=100).load()
    assert (len(train), len(held)) == (6, 6)
    assert (
        info["eval_source"]
        == "6 rows held out of train (seed 42); eval_holdout=100 capped at half of 12 rows"
    )
    warning = capsys.readouterr().err
    assert warning.startswith("rlvr: warning: data.eval_holdout=100 but train has only 12 rows: held out 6")
    assert "Set data.eval_holdout to at most 6" in warning


def test_a_holdout_that_fits_is_taken_whole_and_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    train, held, info = RowSource(path=str(_rows_file(tmp_path, 12)), eval_holdout=4, seed=1).load()
    assert (len(train), len(held)) == (8, 4)
    assert info["eval_source"] == "4 rows held out of train (seed 1)"
    assert {r["question"] for r in train}.isdisjoint(r["question"] for r in held)
    assert capsys.readouterr().err == ""


def test_an_eval_file_means_no_carving(tmp_path: Path) -> None:
    path = _rows_file(tmp_path, 12)
    train, held, info = RowSource(path=str(path), eval_path=str(path), eval_holdout=100).load()
    assert (len(train), len(held), info["eval_source"]) == (12, 12, str(path))


def test_generic_tasks_default_holdout_on_a_small_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """The generic task's YAML default (eval_holdout: 100) on a 12-row file: 6 + 6, said so in the report."""
    splits = GenericQAData(path=str(_rows_file(tmp_path, 12)), eval_holdout=100).load(PromptTemplate())
    assert (len(splits.train), len(splits.eval)) == (6, 6)
    assert splits.info["eval_source"].startswith("6 rows held out of train")
    assert "eval_holdout=100" in capsys.readouterr().err
