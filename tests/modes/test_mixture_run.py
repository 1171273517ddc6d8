"""Several tasks in one GRPO run on the tiny model: GSM8K and FinQA rows mixed, each task's correctness
reward scoring its own rows, the reward means logged per task, and the eval report's rows per task."""

from __future__ import annotations

import json
from pathlib import Path

from rlvr.config import validate_config
from tests.conftest import compose_config
from tests.data.test_mixture import OFFLINE
from tests.modes.test_train import tiny_model_overrides

# The tiny model on the mixture: the model and GRPO settings of the other tiny runs, not their data keys.
MODEL_AND_TRAINING = [
    o for o in tiny_model_overrides(Path("x")) if not o.startswith(("data.", "model.model_name"))
]


def test_a_mixed_run_logs_rewards_and_accuracy_per_task(tiny_model_dir: Path, tmp_path: Path) -> None:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    cfg = compose_config(
        [
            *OFFLINE,
            *MODEL_AND_TRAINING,
            f"model.model_name_or_path={tiny_model_dir}",
            "data.size=2",  # one GSM8K and one FinQA row: the two steps see both
            "train.max_steps=2",
            "train.max_completion_length=4",
            "eval.max_samples=4",
            "eval.max_new_tokens=4",
            "eval.samples_per_problem=0",
            "eval.before_training=false",
        ]
    )
    validate_config(cfg)
    report = run(cfg, RunDir(tmp_path))
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in records if r["kind"] == "train" and "loss" in r]
    assert len(train) == 2
    per_task = {key for r in train for key in r if key.startswith("tasks/")}
    # Each correctness reward appears under its own task only; the format reward under both.
    assert {"tasks/gsm8k/gsm8k_correctness/mean", "tasks/finqa/finqa_correctness/mean"} <= per_task
    assert not {"tasks/finqa/gsm8k_correctness/mean", "tasks/gsm8k/finqa_correctness/mean"} & per_task
    assert {"rewards/gsm8k_correctness/mean", "rewards/finqa_correctness/mean"} <= train[0].keys()
    assert [report["data"]["tasks"][task]["train_rows"] for task in ("gsm8k", "finqa")] == [1, 1]
    after = report["after"]
    assert set(after["by_task"]) == {"gsm8k", "finqa"}  # eval rows interleaved: the first 4 hold both
    assert after["judge"].startswith("per task: gsm8k: gsm8k_correctness")
    rows = [json.loads(line) for line in (tmp_path / "eval_samples_after.jsonl").read_text().splitlines()]
    assert [r["task"] for r in rows] == ["gsm8k", "finqa", "gsm8k", "finqa"]
