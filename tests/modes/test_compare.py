"""``mode=compare``: accuracy of two eval tables, the exact McNemar test and the flipped rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.errors import DataError
from rlvr.modes import MODES
from tests.conftest import compose_config

# Ten problems: both right on 0-1, both wrong on 2-3, only a right on 4, only b right on 5-9.
A = [True, True, False, False, True, False, False, False, False, False]
B = [True, True, False, False, False, True, True, True, True, True]


def _table(path: Path, flags: list[bool], ids: bool = True, order: list[int] | None = None) -> Path:
    rows = [
        {
            **({"id": f"q{i}"} if ids else {}),
            "question": f"question {i}",
            "answer": str(i),
            "extracted": str(i if right else -1),
            "correct": right,
        }
        for i, right in enumerate(flags)
    ]
    rows = [rows[i] for i in order] if order else rows
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _compare(a: Path, b: Path, out: Path) -> dict:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    cfg = compose_config(["mode=compare", f"a={a}", f"b={b}"])
    validate_config(cfg, modes=MODES)
    return run(cfg, RunDir(out))


def test_accuracies_mcnemar_and_flips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _table(tmp_path / "a.jsonl", A)
    b = _table(tmp_path / "b.jsonl", B, order=list(reversed(range(10))))  # matched by id, not by line
    result = _compare(a, b, tmp_path / "run")
    assert result["matched_by"] == "id" and result["rows"] == 10
    assert (result["a_accuracy"], result["b_accuracy"]) == (0.3, 0.7)
    assert (result["a_only_correct"], result["b_only_correct"]) == (1, 5)
    assert result["mcnemar_p"] == pytest.approx(0.21875)  # 2·(C(6,0)+C(6,1))/2^6
    assert [f["id"] for f in result["flipped"]] == ["q4", "q5", "q6", "q7", "q8", "q9"]
    assert result["flipped"][0] == {
        "id": "q4",
        "question": "question 4",
        "answer": "4",
        "a_extracted": "4",
        "b_extracted": "-1",
        "b_is": "wrong",
    }
    out = capsys.readouterr().out
    assert "rlvr: compare: a 0.300" in out and "rlvr: compare: b 0.700" in out
    assert "exact McNemar p = 0.2188" in out and "rlvr: compare: id q5: b right" in out
    assert (
        json.loads((tmp_path / "run" / "compare_report.json").read_text())["mcnemar_p"] == result["mcnemar_p"]
    )


def test_rows_without_ids_match_by_line_order(tmp_path: Path) -> None:
    a = _table(tmp_path / "a.jsonl", A, ids=False)
    b = _table(tmp_path / "b.jsonl", A, ids=False)
    result = _compare(a, b, tmp_path / "run")
    assert result["matched_by"] == "line order"
    assert (result["a_only_correct"], result["b_only_correct"], result["mcnemar_p"]) == (0, 0, 1.0)
    assert result["flipped"] == []


def test_a_table_without_verdicts_is_named(tmp_path: Path) -> None:
    a = _table(tmp_path / "a.jsonl", A)
    b = tmp_path / "b.jsonl"
    b.write_text('{"id": "q0"}\n')
    with pytest.raises(DataError, match=r"b\.jsonl:1: a record needs a `correct` field\. Fix: "):
        _compare(a, b, tmp_path / "run")


def test_missing_tables_are_config_errors(tmp_path: Path) -> None:
    cfg = compose_config(["mode=compare", f"a={tmp_path / 'nope.jsonl'}"])
    with pytest.raises(ConfigValidationError) as err:
        validate_config(cfg, modes=MODES)
    issues = {issue.key: issue for issue in err.value.issues}
    assert set(issues) == {"a", "b"}
    assert "does not exist" in issues["a"].rule and "point a= at an existing" in issues["a"].fix
    assert issues["b"].rule == "mode=compare needs two eval tables"
