"""Where rows come from: held-out carving states the rows it really carved, and warns when it is capped.

``carve_holdout`` never takes more than half the rows (training keeps the rest), so ``eval_holdout: 100``
on a 12-row file holds out 6. The data report and the console must say 6, not 100.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.config.errors import ConfigIssue
from rlvr.config.validate import component_issues
from rlvr.data.generic import GenericQAData
from rlvr.data.source import RowSource, source_config_issues
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


def _issues(node: dict[str, Any]) -> list[str]:
    return [str(issue) for issue in component_issues("data", node)]


def test_a_tasks_source_keys_are_checked_as_if_named(tmp_path: Path) -> None:
    """``**source: Unpack[RowSource]``: a typo (matched against the task's own keys too), a bad choice,
    a bound, a file that is not there and an unreadable file type are each one issue."""
    gsm8k = {"_target_": "rlvr.data.gsm8k.GSM8KData"}
    assert _issues({**gsm8k, "answer_feild": "a", "eval_hodlout": 2}) == [
        "data.answer_feild='a': unknown key: not accepted by rlvr.data.gsm8k.GSM8KData. "
        "Fix: did you mean data.answer_field?",
        "data.eval_hodlout=2: unknown key: not accepted by rlvr.data.gsm8k.GSM8KData. "
        "Fix: did you mean data.eval_holdout?",
    ]
    assert _issues({**gsm8k, "on_long_prompt": "cut", "max_eval_samples": 0}) == [
        "data.on_long_prompt='cut': expected one of: drop, truncate, keep (got str). "
        "Fix: use one of: drop, truncate, keep",
        "data.max_eval_samples=0: must be at least 1 (or null for every row). "
        "Fix: set data.max_eval_samples to at least 1",
    ]
    (tmp_path / "rows.txt").write_text("x")
    missing, text = str(tmp_path / "none.jsonl"), str(tmp_path / "rows.txt")
    assert [line.split(":")[0] for line in _issues({**gsm8k, "path": missing, "eval_path": text})] == [
        f"data.path='{missing}'",
        f"data.eval_path='{text}'",
    ]
    assert _issues({"_target_": "rlvr.data.finqa.FinQAData"}) == [
        "data.path=None: no data source: path and hub_id are both empty. "
        "Fix: set data.path=<file> or data.hub_id=<hub dataset>"
    ]


class _OldRecipe:
    """A task written before typed sources: ``**source: Any`` and ``source_config_issues``."""

    def __init__(self, field: str = "q", **source: Any):
        self.source = RowSource.from_keys(source, eval_split=None)

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        return source_config_issues(prefix, kwargs, _OldRecipe)


def test_the_recipe_before_typed_sources_still_checks_its_keys(tmp_path: Path) -> None:
    path = str(_rows_file(tmp_path, 4))
    target = f"{__name__}._OldRecipe"
    assert _issues({"_target_": target, "path": path, "feild": "q", "seed": "x"}) == [
        "data.feild='q': unknown key: not accepted by _OldRecipe. Fix: did you mean data.field?",
        "data.seed='x': expected an int (got str). Fix: set data.seed to a number, e.g. data.seed=42",
    ]
    assert _OldRecipe(path=path).source == RowSource(path=path, eval_split=None)
