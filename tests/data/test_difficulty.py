"""The pass-rate band and the curriculum keys: rows matched to a profile by id, each rule's drops counted,
for every data component alike (the keys live in the shared row policy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.data.difficulty import PASS_RATE_COLUMN, read_difficulty, row_id
from rlvr.data.generic import GenericQAData
from rlvr.data.gsm8k import GSM8KData
from rlvr.data.policy import RowPolicy
from rlvr.errors import DataError
from rlvr.prompts import PromptTemplate

PROMPT = PromptTemplate(system_prompt="Solve.", answer_format="hash")


def gsm8k_file(path: Path, count: int = 10) -> str:
    rows = [{"question": f"What is {n} + 1?", "answer": f"{n}+1={n + 1}\n#### {n + 1}"} for n in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def profile_file(path: Path, rates: dict[str, float]) -> str:
    path.write_text(
        "".join(json.dumps({"id": k, "pass_rate": v, "mean_length": 3.0}) + "\n" for k, v in rates.items())
    )
    return str(path)


def test_row_id_is_the_id_column_else_a_digest_of_question_and_answer() -> None:
    assert (
        row_id({"id": "ADI/2009/page_49.pdf-1", "question": "q", "answer": "1"}) == "ADI/2009/page_49.pdf-1"
    )
    plain = row_id({"question": "What is 2 + 2?", "answer": "4", "prompt": "x"})
    assert plain.startswith("sha256:") and len(plain) == len("sha256:") + 16
    assert plain == row_id({"question": "What is 2 + 2?", "answer": "4", "prompt": "another template"})
    assert plain != row_id({"question": "What is 2 + 2?", "answer": "5"})  # another gold: another row
    assert row_id({"id": "", "question": "What is 2 + 2?", "answer": "4"}) == plain  # empty id: digest
    chat = [{"role": "user", "content": "2+2?"}]
    assert row_id({"prompt": chat, "answer": "4"}) != row_id({"prompt": chat, "answer": "5"})  # no question


def test_the_band_keeps_rows_in_it_and_counts_each_rule(tmp_path: Path) -> None:
    data = gsm8k_file(tmp_path / "train.jsonl")
    ids = [row_id({"question": f"What is {n} + 1?", "answer": str(n + 1)}) for n in range(10)]
    # rows 0-1 never solved, 2-6 in between, 7-8 always solved, row 9 missing from the profile
    rates = {ids[n]: 0.0 if n < 2 else 1.0 if n > 6 else n / 10 for n in range(9)}
    difficulty = profile_file(tmp_path / "difficulty.jsonl", rates)
    splits = GSM8KData(hub_id=None, path=data, difficulty_file=difficulty, pass_rate=[0.1, 0.9]).load(PROMPT)
    assert splits.train["answer"] == ["3", "4", "5", "6", "7"]
    assert splits.train[PASS_RATE_COLUMN] == [0.2, 0.3, 0.4, 0.5, 0.6]
    report = splits.info["splits"]["train"]
    assert (report["rows"], report["dropped_below_band"], report["dropped_above_band"]) == (5, 2, 2)
    assert report["dropped_not_in_profile"] == 1
    assert "curriculum" not in splits.info  # no curriculum asked for


def test_without_a_band_every_row_stays_with_its_rate(tmp_path: Path) -> None:
    data = gsm8k_file(tmp_path / "train.jsonl", 3)
    first = row_id({"question": "What is 0 + 1?", "answer": "1"})
    difficulty = profile_file(tmp_path / "difficulty.jsonl", {first: 0.25})
    splits = GSM8KData(
        hub_id=None, path=data, difficulty_file=difficulty, curriculum="hard_first", retire_after=None
    ).load(PROMPT)
    assert splits.train[PASS_RATE_COLUMN] == [0.25, None, None]
    assert (
        splits.info["splits"]["train"]["not_in_profile"] == 2 and splits.info["splits"]["train"]["rows"] == 3
    )
    assert splits.info["curriculum"] == {
        "order": "hard_first",
        "online": False,
        "retire_after": None,
        "revisit_after": 50,
        "pass_rate_column": PASS_RATE_COLUMN,
    }


def test_every_data_component_shares_the_band(tmp_path: Path) -> None:
    """The generic loader matches rows by its own question and answer columns; nothing task-specific."""
    rows = [{"question": f"{n}+1?", "answer": n + 1} for n in range(4)]
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ids = [row_id({"question": f"{n}+1?", "answer": str(n + 1)}) for n in range(4)]
    difficulty = profile_file(
        tmp_path / "difficulty.jsonl", dict(zip(ids, [0.0, 0.5, 0.5, 1.0], strict=True))
    )
    splits = GenericQAData(
        path=str(data), answer_parser="number", difficulty_file=difficulty, pass_rate=[0.5, 0.5]
    ).load(PROMPT)
    assert splits.train["answer"] == ["2", "3"]
    assert splits.info["splits"]["train"]["dropped_below_band"] == 1


def test_a_malformed_profile_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "difficulty.jsonl"
    path.write_text('{"id": "a", "pass_rate": 0.5}\n{"id": "b"}\n')
    with pytest.raises(DataError, match=r"difficulty\.jsonl:2: not a difficulty line"):
        read_difficulty(str(path))


@pytest.mark.parametrize(
    ("keys", "key", "rule"),
    [
        ({"pass_rate": [0.1, 0.9]}, "data.pass_rate", "needs the pass rates of a profile"),  # no file
        ({"pass_rate": [0.9, 0.1], "difficulty_file": "F"}, "data.pass_rate", "0 <= low <= high <= 1"),
        ({"pass_rate": [0, 2], "difficulty_file": "F"}, "data.pass_rate", "0 <= low <= high <= 1"),
        ({"pass_rate": 0.5, "difficulty_file": "F"}, "data.pass_rate", "expected a list of numbers or null"),
        ({"pass_rate": [0.1], "difficulty_file": "F"}, "data.pass_rate", "must be [low, high]"),
        ({"curriculum": "easy"}, "data.curriculum", "expected one of: none, easy_first, hard_first"),
        ({"curriculum": "easy_first"}, "data.curriculum", "needs the pass rates of a profile"),
        ({"curriculum_online": "yes"}, "data.curriculum_online", "expected a bool (true or false)"),
        ({"retire_after": 0}, "data.retire_after", "at least 1"),
        ({"revisit_after": -1}, "data.revisit_after", "at least 0"),
        ({"difficulty_file": "nowhere.jsonl"}, "data.difficulty_file", "does not exist"),
    ],
)
def test_difficulty_keys_are_checked_before_loading(tmp_path: Path, keys: dict, key: str, rule: str) -> None:
    real = profile_file(tmp_path / "difficulty.jsonl", {"a": 0.5})
    keys = {k: real if v == "F" else v for k, v in keys.items()}
    issues = RowPolicy.node_issues("data", keys)
    assert [issue.key for issue in issues] == [key], issues
    assert rule in str(issues[0])


def test_valid_difficulty_keys_raise_nothing(tmp_path: Path) -> None:
    real = profile_file(tmp_path / "difficulty.jsonl", {"a": 0.5})
    assert (
        RowPolicy.node_issues(
            "data", {"difficulty_file": real, "pass_rate": [0, 1], "curriculum": "easy_first"}
        )
        == []
    )
    assert (
        RowPolicy.node_issues("data", {"curriculum": "hard_first", "curriculum_online": True}) == []
    )  # online rates
    assert RowPolicy.node_issues("data", {"retire_after": None, "revisit_after": 0}) == []


def test_prompt_lengths_describe_the_rows_the_band_keeps(tmp_path: Path, tiny_model_dir: Path) -> None:
    """The band is applied before prompts are measured: a long question it drops does not set the
    maximum that gradient_checkpointing=auto sizes its estimate with."""
    from transformers import AutoTokenizer

    rows = [{"question": "1+1?", "answer": "#### 2"}, {"question": "x" * 300 + " 2+2?", "answer": "#### 4"}]
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ids = [row_id({"question": r["question"], "answer": r["answer"][5:]}) for r in rows]
    difficulty = profile_file(tmp_path / "difficulty.jsonl", {ids[0]: 0.5, ids[1]: 1.0})
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    source = {"hub_id": None, "path": str(data), "difficulty_file": difficulty}
    kept = GSM8KData(**source, pass_rate=[0.0, 0.9]).load(PROMPT, tokenizer).info["splits"]["train"]
    both = GSM8KData(**source).load(PROMPT, tokenizer).info["splits"]["train"]
    assert (kept["rows"], kept["dropped_above_band"], both["rows"]) == (1, 1, 2)
    assert kept["prompt_tokens"]["max"] < 100 < both["prompt_tokens"]["max"]
