"""mode=check: data, prompts and gold rewards verified without model weights; fails loudly on mismatch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.config import validate_config
from rlvr.errors import CheckFailed
from rlvr.modes import MODES, run
from rlvr.run_dir import RunDir
from tests.conftest import GSM8K_DIR, compose_config

SMOKE = [
    "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
    "data.eval_path=pkg://rlvr/data/builtin/smoke_math_test.jsonl",
]


def check(tmp_path: Path, tiny_model_dir: Path, *overrides: str) -> dict:
    cfg = compose_config(["mode=check", f"model.model_name_or_path={tiny_model_dir}", *overrides])
    validate_config(cfg, modes=MODES)
    report = run(cfg, RunDir(tmp_path))
    assert json.loads((tmp_path / "check_report.json").read_text())["passed"] == report["passed"]
    return report


def test_gsm8k_gold_answers_get_maximum_correctness(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    report = check(tmp_path, tiny_model_dir, *SMOKE)
    assert report["passed"] and report["problems"] == []
    train = report["data"]["splits"]["train"]
    assert train["rows"] == 32 and train["dropped_unparseable"] == 0 and train["prompt_tokens"]["max"] > 0
    correctness = report["gold_rewards"]["train"]["numeric_correctness"]
    assert (correctness["min"], correctness["maximum"], correctness["below_maximum"]) == (2.0, 2.0, 0)
    assert report["gold_rewards"]["eval"]["format_compliance"]["min"] == 0.5
    shown = capsys.readouterr().out
    assert (
        "rlvr: check: rendered prompt (gold answer" in shown and "assistant: " in shown
    )  # chat template applied


@pytest.mark.parametrize("prompt", ["math_reasoning", "boxed", "think_answer"])
def test_every_prompt_format_agrees_with_the_rewards(
    tmp_path: Path, tiny_model_dir: Path, prompt: str
) -> None:
    assert check(tmp_path, tiny_model_dir, *SMOKE, f"prompts={prompt}")["passed"]


def test_finqa_fixture_passes(tmp_path: Path, tiny_model_dir: Path) -> None:
    report = check(tmp_path, tiny_model_dir, "data_component=finqa", "prompts=finqa_reasoning")
    assert report["passed"], report["problems"]
    assert report["gold_rewards"]["train"]["finqa_correctness"]["below_maximum"] == 0


def test_reasoning_gym_countdown_passes(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip(
        "reasoning_gym", reason="needs the optional reasoning-gym extra: pip install -e '.[reasoning]'"
    )
    report = check(
        tmp_path,
        tiny_model_dir,
        "data_component=reasoning_gym",
        "data.task=countdown",
        "data.size=20",
        "data.eval_size=5",
    )
    assert report["passed"], report["problems"]
    assert report["gold_rewards"]["train"]["reasoning_gym_score"]["min"] == 2.0


def test_unwinnable_gold_answers_fail_the_check(tmp_path: Path, tiny_model_dir: Path) -> None:
    rows = tmp_path / "words.jsonl"
    rows.write_text(
        "\n".join(json.dumps({"question": f"q{i}", "answer": w}) for i, w in enumerate(["two", "3"]))
    )
    with pytest.raises(CheckFailed) as exit_info:
        check(
            tmp_path,
            tiny_model_dir,
            "data_component=generic",
            f"data.path={rows}",
            "data.answer_parser=raw",
            "data.eval_holdout=0",
        )
    assert exit_info.value.exit_code == 1
    report = json.loads((tmp_path / "check_report.json").read_text())
    assert report["problems"] == [
        "train: numeric_correctness gives 1 gold answer(s) less than its maximum 2.0"
    ]
    assert report["gold_rewards"]["train"]["numeric_correctness"]["examples_below_maximum"][0][
        "gold_completion"
    ] == ("#### two")


@pytest.mark.parametrize(("split", "rows"), [("test", 1319), ("train", 7473)])
@pytest.mark.skipif(
    not (GSM8K_DIR / "test.jsonl").exists(),
    reason="real GSM8K files not present (set RLVR_GSM8K_DIR or place them in ../shared/data/gsm8k)",
)
def test_real_gsm8k_passes(tmp_path: Path, tiny_model_dir: Path, split: str, rows: int) -> None:
    report = check(tmp_path, tiny_model_dir, f"data.path={GSM8K_DIR / f'{split}.jsonl'}", "data.hub_id=null")
    assert report["passed"]
    assert report["data"]["splits"]["train"] == {
        **report["data"]["splits"]["train"],
        "rows": rows,
        "dropped_unparseable": 0,
    }
    assert report["gold_rewards"]["train"]["numeric_correctness"]["below_maximum"] == 0
