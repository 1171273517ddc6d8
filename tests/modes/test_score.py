"""mode=score end to end: records in, one scored line per record out, in order; clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from omegaconf import DictConfig, OmegaConf

from rlvr.errors import ConfigError, DataError, DataFileMissing
from rlvr.modes.score import run as run_score
from rlvr.run_dir import RunDir

# conf/reward_component/gsm8k.yaml with literal values in place of ${prompts.answer_format}.
REWARD = {
    "_target_": "rlvr.rewards.RewardSet",
    "reward_functions": [
        {
            "_target_": "rlvr.rewards.correctness.numeric_correctness",
            "weight": 1.0,
            "params": {
                "correct_reward": 2.0,
                "incorrect_reward": 0.0,
                "tolerance": 1e-6,
                "strategies": ["hash", "last_number"],
            },
        },
        {
            "_target_": "rlvr.rewards.format.format_compliance",
            "weight": 0.5,
            "params": {"answer_format": "hash", "format_reward": 0.5, "missing_reward": 0.0},
        },
    ],
    "weights": None,
    "on_error": "zero",
    "timeout": None,
}
RECORDS = [
    # Correct, in format: 2.0 + 0.5 * 0.5.
    {"completion": "3 * 4 = 12\n#### 12", "answer": "12", "prompt": "q1"},
    # Wrong, in format.
    {"completion": "#### 13", "answer": "12"},
    # Correct by the last-number fallback, not in format.
    {"completion": "so 7 apples", "answer": "7", "id": 3},
    # A chat completion; the gold loaded as a JSON number.
    {"completion": [{"role": "assistant", "content": "#### 1,000"}], "answer": 1000},
]


def _cfg(tmp_path: Path, lines: list[str], output: str | None = None, **reward: Any) -> DictConfig:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return OmegaConf.create(
        {"mode": "score", "input": str(source), "output": output, "reward": {**REWARD, **reward}}
    )


def test_scores_every_record_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps(r) for r in RECORDS]
    lines.insert(2, "")  # a blank line is skipped, not an error
    summary = run_score(
        _cfg(tmp_path, lines, output=str(tmp_path / "out" / "scored.jsonl")), RunDir(tmp_path / "run")
    )
    rows = [json.loads(line) for line in (tmp_path / "out" / "scored.jsonl").read_text().splitlines()]
    assert [{k: v for k, v in row.items() if k in r} for row, r in zip(rows, RECORDS, strict=True)] == RECORDS
    assert [row["numeric_correctness"] for row in rows] == [2.0, 0.0, 2.0, 2.0]
    assert [row["format_compliance"] for row in rows] == [0.5, 0.5, 0.0, 0.5]
    assert [row["reward"] for row in rows] == [2.25, 0.25, 2.0, 2.25]
    assert [row["extracted"] for row in rows] == ["12", "13", "7", "1,000"]
    assert summary["records"] == 4 and summary["means"] == {
        "numeric_correctness": 1.5,
        "format_compliance": 0.375,
    }
    assert summary["errors"] == {"numeric_correctness": 0, "format_compliance": 0}
    assert "rlvr: score: numeric_correctness mean=1.5000 errors=0" in capsys.readouterr().out


def test_output_defaults_into_the_run_dir(tmp_path: Path) -> None:
    summary = run_score(_cfg(tmp_path, [json.dumps(RECORDS[0])]), RunDir(tmp_path / "run"))
    assert summary["output"] == str(tmp_path / "run" / "scores.jsonl")
    assert json.loads((tmp_path / "run" / "scores.jsonl").read_text())["numeric_correctness"] == 2.0


def test_failing_reward_is_scored_with_its_fallback_and_counted(tmp_path: Path) -> None:
    reward = {
        "reward_functions": [{"_target_": "tests.rewards.scorers.raise_every_third", "on_error": "none"}]
    }
    lines = [json.dumps({"completion": "x", "answer": str(n)}) for n in range(1, 7)]
    summary = run_score(_cfg(tmp_path, lines, **reward), RunDir(tmp_path))
    rows = [json.loads(line) for line in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert [row["raise_every_third"] for row in rows] == [1.0, 1.0, None, 1.0, 1.0, None]
    assert [row["reward"] for row in rows] == [1.0, 1.0, None, 1.0, 1.0, None]
    assert summary["errors"] == {"raise_every_third": 2} and summary["means"] == {"raise_every_third": 1.0}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        # Malformed JSON names the file and line.
        (['{"completion": "#### 1", "answer": "1"}', '{"completion": '], r"in.jsonl:2: not valid JSON"),
        # A record that is not an object.
        (['["#### 1", "1"]'], r"in.jsonl:1: a record must be a JSON object, got list"),
        # A missing gold column names the column and what the record has.
        (['{"completion": "#### 1"}'], r"in.jsonl:1: record has no 'answer' \(it has \['completion'\]\)"),
        # A missing completion.
        (['{"answer": "1"}'], r"in.jsonl:1: record has no 'completion'"),
    ],
)
def test_bad_input_names_file_and_line(tmp_path: Path, lines: list[str], message: str) -> None:
    """A bad input line is a data error (one ``rlvr:`` line, exit 3), as a bad line of a data file is."""
    with pytest.raises(DataError, match=message) as caught:
        run_score(_cfg(tmp_path, lines), RunDir(tmp_path))
    assert caught.value.exit_code == 3 and "Fix: " in str(caught.value)


def test_missing_input_says_what_to_pass(tmp_path: Path) -> None:
    cfg = OmegaConf.create({"mode": "score", "input": None, "output": None, "reward": REWARD})
    with pytest.raises(ConfigError, match=r"input=None: mode=score needs .*Fix: add input=<file.jsonl>"):
        run_score(cfg, RunDir(tmp_path))
    cfg.input = str(tmp_path / "absent.jsonl")
    with pytest.raises(DataFileMissing, match="absent.jsonl: no such file"):
        run_score(cfg, RunDir(tmp_path))
