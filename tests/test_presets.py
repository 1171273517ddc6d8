"""Experiment presets compose with any task: ``experiment=smoke data_component=X`` uses X's data.

The smoke preset picks its bundled problems and its short prompt as *group choices* (its own defaults
list), not as keys under ``data:`` and ``prompts:``. A task or prompt named on the command line replaces
those choices whole, so no preset key lands on a component that does not expect it — no errors about
keys the user never set, and no silent training on the bundled GSM8K file.
"""

from __future__ import annotations

import json
from pathlib import Path

from rlvr.config import build, validate_config
from tests.conftest import CONF_DIR, compose_config

BUNDLED = "pkg://rlvr/data/builtin/smoke_math_train.jsonl"


def test_smoke_alone_uses_the_bundled_files_and_prompt() -> None:
    cfg = compose_config(["experiment=smoke"])
    assert cfg.data._target_ == "rlvr.data.gsm8k.GSM8KData"
    assert (cfg.data.path, cfg.data.eval_path, cfg.data.hub_id) == (
        BUNDLED,
        "pkg://rlvr/data/builtin/smoke_math_test.jsonl",
        None,
    )
    assert cfg.prompts.few_shot[0].answer.endswith("#### 12") and cfg.prompts.answer_format == "hash"
    assert cfg.train.max_steps == 2 and cfg.model.model_name_or_path.endswith(".gguf")
    validate_config(cfg)


def test_smoke_with_the_generic_task_uses_only_the_users_file(tmp_path: Path) -> None:
    rows = tmp_path / "mine.jsonl"
    rows.write_text("".join(json.dumps({"question": f"{i}+1?", "answer": i + 1}) + "\n" for i in range(12)))
    cfg = compose_config(["experiment=smoke", "data_component=generic", f"data.path={rows}"])
    validate_config(cfg)  # no complaint about keys the user never set
    assert cfg.data._target_ == "rlvr.data.generic.GenericQAData"
    assert (cfg.data.path, cfg.data.eval_path) == (str(rows), None)  # no bundled eval file sneaks in
    assert cfg.train.max_steps == 2  # the preset's run settings still apply


def test_smoke_with_finqa_trains_on_finqa_with_finqa_rewards() -> None:
    cfg = compose_config(["experiment=smoke", "data_component=finqa"])
    validate_config(cfg)
    assert cfg.data.path == "pkg://rlvr/data/builtin/finqa_sample.json"
    assert cfg.reward.reward_functions[0]._target_ == "rlvr.rewards.finqa.finqa_correctness"


def test_the_order_on_the_command_line_does_not_matter() -> None:
    first = compose_config(["data_component=finqa", "experiment=smoke"])
    assert first.data == compose_config(["experiment=smoke", "data_component=finqa"]).data


def test_smoke_with_another_prompt_keeps_that_prompts_instructions() -> None:
    cfg = compose_config(["experiment=smoke", "prompts=think_answer"])
    validate_config(cfg)
    think = compose_config(["prompts=think_answer"]).prompts
    assert cfg.prompts == think


def test_the_smoke_data_option_selects_no_reward_set() -> None:
    """``data_component=X`` also picks ``reward_component=X`` when one exists; the smoke data must not."""
    assert not (CONF_DIR / "reward_component" / "smoke_math.yaml").exists()
    rewards = build(compose_config(["experiment=smoke"]).reward)
    assert rewards.names == ["numeric_correctness", "format_compliance"]
