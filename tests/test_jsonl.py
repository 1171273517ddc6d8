"""One reader for the JSONL files users hand a mode: objects with their line numbers, a bad line one error."""

from __future__ import annotations

import pytest

from rlvr.errors import DataError
from rlvr.jsonl import json_objects


def test_objects_come_with_their_line_numbers_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n\n  \n{"a": 2}\n', encoding="utf-8")
    assert list(json_objects(path, "fix it")) == [(1, {"a": 1}), (4, {"a": 2})]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "rows.jsonl:2: not valid JSON (Expecting value at column 1). Fix: fix it"),
        ("[1, 2]", "rows.jsonl:2: a record must be a JSON object, got list. Fix: fix it"),
    ],
)
def test_a_bad_line_is_one_data_error_naming_file_line_and_fix(tmp_path, line, message):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"a": 1}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        list(json_objects(path, "fix it"))
    assert str(caught.value) == f"{path.parent}/{message}"
