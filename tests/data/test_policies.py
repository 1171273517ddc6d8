"""Row policies: bad JSON lines, unparseable gold answers and over-long prompts are handled as configured,
and every such row is counted — never silently kept or lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.data.base import canonical_number
from rlvr.data.generic import GenericQAData
from rlvr.data.gsm8k import GSM8KData
from rlvr.errors import DataError
from rlvr.prompts import PromptTemplate

PROMPT = PromptTemplate(system_prompt="Solve.", answer_format="hash")


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1,250", "1250"),  # thousands separator
        ("$5.50", "5.5"),  # currency and trailing zero
        ("-3", "-3"),  # negative
        ("2.5", "2.5"),  # decimal
        ("72.", "72"),  # trailing period
        ("no number", None),  # unparseable
    ],
)
def test_canonical_gold_number(written: str, expected: str | None) -> None:
    assert canonical_number(written) == expected


def test_bad_json_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "rows.jsonl", [json.dumps({"question": "q", "answer": "#### 1"}), "{oops", "[1, 2]"]
    )
    splits = GSM8KData(hub_id=None, path=path, on_bad_row="skip").load(PROMPT)
    assert len(splits.train) == 1 and splits.info["skipped_bad_rows"] == 2


def test_a_json_array_line_is_an_error_by_default(tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.jsonl", [json.dumps({"question": "q", "answer": "#### 1"}), "[1, 2]"])
    with pytest.raises(ValueError, match=r"rows\.jsonl:2: malformed JSON line \(expected a JSON object"):
        GSM8KData(hub_id=None, path=path).load(PROMPT)


def test_unparseable_gold_can_be_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.jsonl", [json.dumps({"question": "q", "answer": "the end"})])
    with pytest.raises(
        ValueError, match=r"train row 0: gold answer 'the end' cannot be parsed.*on_unparseable=drop"
    ):
        GSM8KData(hub_id=None, path=path, on_unparseable="error").load(PROMPT)


def test_missing_file_names_the_path() -> None:
    with pytest.raises(FileNotFoundError, match=r"data file '/no/such/file.jsonl' not found"):
        GSM8KData(hub_id=None, path="/no/such/file.jsonl").load(PROMPT)


@pytest.mark.parametrize(
    ("policy", "rows", "truncated"), [("drop", 1, 0), ("truncate", 2, 1), ("keep", 2, 0)]
)
def test_long_prompts_follow_the_policy(
    tiny_model_dir: Path, tmp_path: Path, policy: str, rows: int, truncated: int
) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    long_question = "context " * 60 + "What is 1 + 1?"
    path = _write(
        tmp_path / "rows.jsonl",
        [
            json.dumps({"question": "1+1?", "answer": "#### 2"}),
            json.dumps({"question": long_question, "answer": "#### 2"}),
        ],
    )
    splits = GSM8KData(hub_id=None, path=path, max_prompt_tokens=120, on_long_prompt=policy).load(
        PROMPT, tokenizer
    )
    report = splits.info["splits"]["train"]
    assert (report["rows"], report["over_max_prompt_tokens"], report["truncated"]) == (rows, 1, truncated)
    assert report["prompt_tokens"]["max"] <= (120 if policy != "keep" else 10_000)
    if policy == "truncate":
        kept = splits.train[1]["prompt"][-1]["content"]
        assert kept.endswith("What is 1 + 1?") and kept.startswith("…")


def test_generic_dataset_with_custom_columns_and_system_prompt(tmp_path: Path) -> None:
    rows = [
        {"problem": f"{i} + {i}?", "solution": f"so \\boxed{{{2 * i}}}", "persona": "Be brief."}
        for i in range(6)
    ]
    path = _write(tmp_path / "rows.jsonl", [json.dumps(r) for r in rows])
    data = GenericQAData(
        path=path,
        question_field="problem",
        answer_field="solution",
        answer_parser="boxed",
        system_prompt_field="persona",
        eval_holdout=2,
    )
    splits = data.load(PROMPT)
    assert (len(splits.train), len(splits.eval)) == (4, 2)
    row = splits.train[0]
    assert row["prompt"][0] == {"role": "system", "content": "Be brief."}
    assert row["answer"] == str(2 * int(row["question"].split()[0]))
    assert row["persona"] == "Be brief."  # other columns travel to the rewards


def test_generic_per_row_few_shot_examples(tmp_path: Path) -> None:
    shots = [{"question": "1 + 1?", "answer": "#### 2"}]
    rows = [
        {"question": "2 + 2?", "answer": "4", "shots": shots},
        {"question": "3 + 3?", "answer": "6", "shots": []},
    ]
    splits = GenericQAData(
        path=_write(tmp_path / "rows.jsonl", [json.dumps(r) for r in rows]), few_shot_field="shots"
    ).load(PROMPT)
    first, second = splits.train[0]["prompt"], splits.train[1]["prompt"]
    assert [m["content"] for m in first[1:]] == ["1 + 1?", "#### 2", "2 + 2?"]
    assert [m["content"] for m in second[1:]] == ["3 + 3?"]
    assert "shots" not in splits.train.column_names


def test_generic_bad_few_shot_value_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.jsonl", [json.dumps({"question": "q", "answer": "1", "shots": ["oops"]})])
    with pytest.raises(DataError, match=r"data.few_shot_field='shots': each row's value must be a list"):
        GenericQAData(path=path, few_shot_field="shots").load(PROMPT)


def test_generic_missing_column_lists_the_available_ones(tmp_path: Path) -> None:
    path = _write(tmp_path / "rows.jsonl", [json.dumps({"q": "1+1", "a": "2"})])
    with pytest.raises(DataError, match=r"train row 0: .*no field 'question' \(available: \['a', 'q'\]\)"):
        GenericQAData(path=path).load(PROMPT)


def test_csv_files_load(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("question,answer\nWhat is 2+2?,4\nWhat is 3+3?,6\n")
    splits = GenericQAData(path=str(path)).load(PROMPT)
    assert splits.train["answer"] == ["4", "6"]
