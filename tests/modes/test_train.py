"""A real GRPO run, end to end, on a tiny offline model: the orchestrator wires all six components and the prompt template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf, open_dict

from rlvr.config import validate_config
from tests.conftest import compose_config

TRAIN = "pkg://rlvr/data/builtin/smoke_math_train.jsonl"
TEST = "pkg://rlvr/data/builtin/smoke_math_test.jsonl"


def tiny_model_overrides(model_dir: Path) -> list[str]:
    """The tiny model on the bundled problems with small, fast, fp32 GRPO settings (shared by mode tests)."""
    return [
        f"model.model_name_or_path={model_dir}",
        "model.lora.enabled=false",
        "model.dtype=float32",
        "data.hub_id=null",
        f"data.path={TRAIN}",
        f"data.eval_path={TEST}",
        "train.per_device_train_batch_size=4",
        "train.gradient_accumulation_steps=1",
        "train.num_generations=4",
        "train.max_completion_length=8",
        "train.learning_rate=0.01",
        "train.gradient_checkpointing=false",
        "train.bf16=false",
        "train.save_strategy=no",
        "train.warmup_steps=0",
        "train.lr_scheduler_type=constant",
    ]


def tiny_run_config(model_dir: Path, *extra: str):
    cfg = compose_config(
        [
            *tiny_model_overrides(model_dir),
            "train.max_steps=2",
            "eval.max_samples=2",
            "eval.batch_size=2",
            "eval.max_new_tokens=8",
            *extra,
        ]
    )
    with open_dict(cfg):
        cfg.reward.reward_functions.append(
            OmegaConf.create({"_target_": "tests.scorers_for_tests.digit_share", "weight": 1.0, "params": {}})
        )
    validate_config(cfg)
    return cfg


@pytest.fixture(scope="module")
def tiny_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    run_dir = tmp_path_factory.mktemp("run")
    run(tiny_run_config(tiny_model_dir), RunDir(run_dir))
    return run_dir


def test_every_trained_parameter_changed(tiny_run: Path, tiny_model_dir: Path) -> None:
    from safetensors.torch import load_file

    before = load_file(str(tiny_model_dir / "model.safetensors"))
    after = load_file(str(tiny_run / "final_model" / "model.safetensors"))
    assert before.keys() == after.keys()
    unchanged = [name for name in before if before[name].equal(after[name])]
    assert not unchanged, f"parameters not updated by GRPO: {unchanged}"


def test_grpo_metrics_are_logged(tiny_run: Path) -> None:
    records = [json.loads(line) for line in (tiny_run / "metrics.jsonl").read_text().splitlines()]
    train = [r for r in records if r["kind"] == "train" and "loss" in r]
    assert [r["step"] for r in train] == [1, 2]
    for key in (
        "loss",
        "reward",
        "reward_std",
        "completions/mean_length",
        "rewards/numeric_correctness/mean",
        "rewards/format_compliance/mean",
        "rewards/digit_share/mean",
    ):
        assert all(key in r for r in train), key
    assert any(r["reward_std"] > 0 for r in train), "rewards never varied: no learning signal"
    evals = [r for r in records if r["kind"] == "eval"]
    # eval.every_n_steps=50 > max_steps: in-training points at step 0 and the last step only, taken from
    # the before/after evaluations of the same policy
    tags = [(r["tag"], r["step"]) for r in evals]
    assert tags == [("before", 0), ("periodic", 0), ("after", 2), ("periodic", 2)]


def test_run_dir_files(tiny_run: Path) -> None:
    report = json.loads((tiny_run / "eval_report.json").read_text())
    for tag in ("before", "after"):
        assert report[tag]["total"] == 2
        assert report[tag]["judge"] == "numeric_correctness at its maximum 2.0"
        assert 0.0 <= report[tag]["accuracy"] <= 1.0
    assert report["train"]["global_step"] == 2
    assert report["reward_functions"] == {
        "numeric_correctness": 1.0,
        "format_compliance": 1.0,
        "digit_share": 1.0,
    }
    assert report["reward_errors"] == {"numeric_correctness": 0, "format_compliance": 0, "digit_share": 0}
    assert report["data"]["splits"]["train"]["rows"] == 32
    resolved = OmegaConf.load(tiny_run / "resolved_config.yaml")
    assert resolved.train.max_steps == 2
    strategies = resolved.reward.reward_functions[0].params.strategies
    assert strategies == ["hash", "boxed", "answer_tag", "answer_is", "last_number"]  # interpolated
    samples = (tiny_run / "eval_samples_after.jsonl").read_text().splitlines()
    assert (
        len(samples) == 2
        and {"answer", "completion", "extracted", "correct"} <= json.loads(samples[0]).keys()
    )
    assert (tiny_run / "final_model" / "config.json").exists()
    assert (tiny_run / "final_model" / "tokenizer.json").exists()


def test_lora_run_saves_an_adapter(tiny_model_dir: Path, tmp_path: Path) -> None:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    cfg = tiny_run_config(
        tiny_model_dir, "model.lora.enabled=true", "model.lora.r=4", "train.max_steps=1", "eval.enabled=false"
    )
    report = run(cfg, RunDir(tmp_path))
    assert (tmp_path / "final_model" / "adapter_config.json").exists()
    assert (tmp_path / "final_model" / "adapter_model.safetensors").exists()
    assert "before" not in report and report["train"]["global_step"] == 1
