"""Catalogue: mistakes in a mode's own inputs (``mode=score``'s completions, ``mode=compare``'s tables),
each compared on the whole printed line: a bad line there is a data error, one ``rlvr:`` line and exit 3,
exactly as a bad line in a data file is — never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mistakes.cli import run_cli

#: file name → the lines of the input files the cases read (relative names: the line shows them as given).
FILES = {
    "completions_cut.jsonl": ['{"completion": "#### 1", "answer": "1"}', '{"completion": '],
    "completions_list.jsonl": ['["#### 1", "1"]'],
    "completions_no_completion.jsonl": ['{"answer": "1"}'],
    "table_a.jsonl": ['{"id": "q0", "correct": true}'],
    "table_no_verdict.jsonl": ['{"id": "q0"}'],
    "table_cut.jsonl": ['{"id": "q0", "correct": tru'],
}

# (mistake, command-line arguments, the whole line; exit status 3)
MODE_LINES = [
    (
        "score input with a line that is not JSON",
        ["mode=score", "input=completions_cut.jsonl"],
        "rlvr: completions_cut.jsonl:2: not valid JSON (Expecting value at column 1). Fix: make each line one "
        "JSON object",
    ),
    (
        "score input with a record that is not an object",
        ["mode=score", "input=completions_list.jsonl"],
        "rlvr: completions_list.jsonl:1: a record must be a JSON object, got list. Fix: make each line one "
        "JSON object",
    ),
    (
        "score input without a completion",
        ["mode=score", "input=completions_no_completion.jsonl"],
        "rlvr: completions_no_completion.jsonl:1: record has no 'completion' (it has ['answer']). Fix: give "
        "every record the fields the reward functions read: ['completion', 'answer']",
    ),
    (
        "compare table without verdicts",
        ["mode=compare", "a=table_a.jsonl", "b=table_no_verdict.jsonl"],
        "rlvr: table_no_verdict.jsonl:1: a record needs a `correct` field. Fix: compare eval tables (a run's "
        "eval_samples_*.jsonl rows)",
    ),
    (
        "compare table with a line that is not JSON",
        ["mode=compare", "a=table_a.jsonl", "b=table_cut.jsonl"],
        "rlvr: table_cut.jsonl:1: not valid JSON (Expecting value at column 25). Fix: one JSON object "
        "per line, as in a run's eval_samples_*.jsonl",
    ),
]


@pytest.mark.parametrize(("mistake", "args", "line"), MODE_LINES, ids=[c[0] for c in MODE_LINES])
def test_mode_input_mistake_line(mistake: str, args: list[str], line: str, tmp_path: Path) -> None:
    for name, lines in FILES.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    result = run_cli([*args, "hydra.run.dir=run"], cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 3, output[-2000:]
    assert line in output.splitlines() and "Traceback" not in output, output[-2000:]
    if args[0] == "mode=score":  # it wrote its manifest before reading: the ending is recorded
        status = json.loads((tmp_path / "run" / "status.json").read_text())
        assert (status["status"], status["exit_code"]) == ("failed", 3)
    else:  # compare reads before writing anything: the unused run dir is removed
        assert not (tmp_path / "run").exists()
