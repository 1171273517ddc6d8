"""Data components load local files into prompt/answer rows; bad input fails with a named location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.data.finqa import FinQAData, render_table
from rlvr.data.gsm8k import GSM8KData
from rlvr.errors import DataError
from rlvr.prompts import PromptTemplate
from tests.conftest import GSM8K_DIR

TRAIN = "pkg://rlvr/data/builtin/smoke_math_train.jsonl"
TEST = "pkg://rlvr/data/builtin/smoke_math_test.jsonl"
PROMPT = PromptTemplate(system_prompt="Solve it.", answer_format="hash")


def test_gsm8k_local_files_give_chat_prompts_and_gold_numbers() -> None:
    splits = GSM8KData(hub_id=None, path=TRAIN, eval_path=TEST).load(PROMPT)
    assert len(splits.train) == 32 and len(splits.eval) == 8
    row = splits.train[0]
    assert row["prompt"][0] == {"role": "system", "content": "Solve it."}
    assert row["prompt"][-1]["role"] == "user" and row["prompt"][-1]["content"] == row["question"]
    assert row["solution"].rstrip().endswith(f"#### {row['answer']}")
    assert all("," not in a for a in splits.train["answer"])  # thousands separators removed
    assert splits.info["splits"]["train"] == {"rows": 32, "dropped_unparseable": 0}


def test_holdout_is_carved_when_there_is_no_eval_file() -> None:
    splits = GSM8KData(hub_id=None, path=TRAIN, eval_holdout=5, seed=1).load(PROMPT)
    assert (len(splits.train), len(splits.eval)) == (27, 5)
    assert not set(splits.train["question"]) & set(splits.eval["question"])


def test_sizes_are_capped() -> None:
    splits = GSM8KData(
        hub_id=None, path=TRAIN, eval_path=TEST, max_train_samples=10, max_eval_samples=3
    ).load(PROMPT)
    assert (len(splits.train), len(splits.eval)) == (10, 3)


def test_unparseable_gold_answers_are_dropped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [{"question": "q1", "answer": "2+2\n#### 4"}, {"question": "q2", "answer": "no final line"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    splits = GSM8KData(hub_id=None, path=str(path)).load(PROMPT)
    assert splits.info["splits"]["train"] == {"rows": 1, "dropped_unparseable": 1}


def test_malformed_jsonl_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "q", "answer": "#### 1"}\n{not json}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2: malformed JSON"):
        GSM8KData(hub_id=None, path=str(path)).load(PROMPT)


def test_missing_field_lists_available_columns(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"problem": "q", "answer": "#### 1"}))
    # A data error (exit 3 on the command line) naming the split and row, the missing field and the fix.
    with pytest.raises(
        DataError,
        match=r"train row 0: data row has no field 'question' \(available: \['answer', 'problem'\]\)",
    ):
        GSM8KData(hub_id=None, path=str(path)).load(PROMPT)


def test_plain_text_prompt_for_base_models() -> None:
    prompt = PromptTemplate(
        system_prompt="Solve it.",
        user_template="Q: {question}\nA:",
        use_chat_template=False,
        few_shot=[{"question": "1+1?", "answer": "#### 2"}],
    )
    assert prompt.build("2+2?") == "Solve it.\n\nQ: 1+1?\nA:\n#### 2\n\nQ: 2+2?\nA:\n"


def test_finqa_sample_renders_text_table_and_question() -> None:
    splits = FinQAData(path="pkg://rlvr/data/builtin/finqa_sample.json", eval_holdout=2).load(PROMPT)
    assert (len(splits.train), len(splits.eval)) == (4, 2)
    rows = splits.train.to_list() + splits.eval.to_list()
    assert sorted(r["answer_type"] for r in rows) == ["number"] * 4 + ["percent", "yes_no"]
    percent = next(r for r in rows if r["answer_type"] == "percent")
    assert percent["answer"] == "14.3%" and percent["is_percent"] and float(percent["exe_ans"]) < 1
    text = rows[0]["prompt"][-1]["content"]
    assert "| --- |" in text and "\n\nQuestion: " in text


def test_render_table_is_markdown() -> None:
    assert render_table([["", "2021", "2020"], ["revenue", "$ 10", "$ 8"]]) == (
        "|  | 2021 | 2020 |\n| --- | --- | --- |\n| revenue | $ 10 | $ 8 |"
    )


@pytest.mark.skipif(
    not (GSM8K_DIR / "test.jsonl").exists(),
    reason="real GSM8K files not present (set RLVR_GSM8K_DIR or place them in ../shared/data/gsm8k)",
)
def test_real_gsm8k_test_file_parses_completely() -> None:
    splits = GSM8KData(hub_id=None, path=str(GSM8K_DIR / "test.jsonl")).load(PROMPT)
    assert splits.info["splits"]["train"] == {"rows": 1319, "dropped_unparseable": 0}
