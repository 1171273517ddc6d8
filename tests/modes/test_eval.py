"""Evaluation in a real run on the tiny model: in-training points, best checkpoint, eval's time share —
and ``mode=eval`` on the run's saved adapter reproducing the run's final figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.config import validate_config
from tests.modes.test_train import tiny_run_config

EVAL_KEYS = (
    "model.lora.enabled=true",
    "model.lora.r=4",
    "model.lora.dropout=0.0",
    "eval.max_samples=3",
    "eval.batch_size=4",
    "eval.every_n_steps=1",
    "eval.periodic_samples=2",
    "eval.samples_per_problem=2",
    "eval.k=[1,2]",
    "eval.bootstrap_samples=200",
)


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def lora_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    run_dir = tmp_path_factory.mktemp("lora-run")
    cfg = tiny_run_config(tiny_model_dir, *EVAL_KEYS, "eval.best_model=best")
    return run_dir, run(cfg, RunDir(run_dir))


def test_periodic_eval_writes_step_tables_and_eval_metrics(lora_run: tuple[Path, dict[str, Any]]) -> None:
    run_dir, report = lora_run
    for step in (0, 1, 2):
        rows = _records(run_dir / f"eval_samples_step{step}.jsonl")
        assert [r["id"] for r in rows] == [0, 1]  # the same fixed subset at every step
        assert {"id", "question", "answer", "completion", "extracted", "correct"} <= rows[0].keys()
        assert {"completion_tokens", "truncated", "format_ok"} <= rows[0].keys()
        assert "sampled_correct" not in rows[0]  # steps 0 and 2 come from before/after: same columns
    before = _records(run_dir / "eval_samples_before.jsonl")[:2]
    step0 = _records(run_dir / "eval_samples_step0.jsonl")
    assert [r["completion"] for r in step0] == [r["completion"] for r in before]
    periodic = [r for r in _records(run_dir / "metrics.jsonl") if r.get("tag") == "periodic"]
    assert [r["step"] for r in periodic] == [0, 1, 2]
    for record in periodic:
        assert record["kind"] == "eval" and record["eval/total"] == 2
        for key in (
            "eval/accuracy",
            "eval/format_rate",
            "eval/mean_completion_tokens",
            "eval/truncation_rate",
        ):
            assert 0.0 <= record[key] <= (8 if "tokens" in key else 1.0), key
    assert [p["step"] for p in report["periodic"]["points"]] == [0, 1, 2]


def test_best_step_is_reported_and_saved(lora_run: tuple[Path, dict[str, Any]]) -> None:
    run_dir, report = lora_run
    best = report["periodic"]["best"]
    points = report["periodic"]["points"]
    top = max(p["accuracy"] for p in points)
    assert best["metric"] == "accuracy" and best["value"] == top
    assert best["step"] == min(p["step"] for p in points if p["accuracy"] == top)  # ties: the earlier step
    assert best["saved_to"] == str(run_dir / "best_model")
    assert (run_dir / "best_model" / "adapter_config.json").exists()


def test_report_has_baseline_final_with_cis_and_the_time_share(lora_run: tuple[Path, dict[str, Any]]) -> None:
    run_dir, report = lora_run
    saved = json.loads((run_dir / "eval_report.json").read_text())
    assert saved["comparison"] == report["comparison"]
    for metric in ("accuracy", "pass@1", "pass@2", "maj@1", "maj@2", "format_rate", "truncation_rate"):
        entry = report["comparison"][metric]
        assert entry["delta"] == pytest.approx(entry["after"] - entry["before"]), metric
        assert len(entry["delta_ci"]) == 2 and " → " in entry["text"]
    assert (
        report["after"]["accuracy_ci"][0] <= report["after"]["accuracy"] <= report["after"]["accuracy_ci"][1]
    )
    share = report["eval_time"]
    assert 0 < share["eval_s"] < share["run_s"] and share["share"] == pytest.approx(
        share["eval_s"] / share["run_s"], abs=1e-3
    )


def test_mode_eval_on_the_saved_adapter_reproduces_the_final_accuracy(
    lora_run: tuple[Path, dict[str, Any]], tiny_model_dir: Path, tmp_path: Path
) -> None:
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    run_dir, report = lora_run
    cfg = tiny_run_config(tiny_model_dir, *EVAL_KEYS)
    cfg.mode, cfg.model.model_name_or_path = "eval", str(run_dir / "final_model")
    validate_config(cfg, modes=("train", "eval"))
    result = run(cfg, RunDir(tmp_path))
    assert result["model"].startswith(str(run_dir / "final_model"))
    assert result["eval"]["accuracy"] == report["after"]["accuracy"]
    assert result["eval"]["pass@2"] == report["after"]["pass@2"]  # seeded sampling: same draws
    mine = _records(tmp_path / "eval_samples_eval.jsonl")
    theirs = _records(run_dir / "eval_samples_after.jsonl")
    assert [r["completion"] for r in mine] == [r["completion"] for r in theirs]
    assert json.loads((tmp_path / "eval_report.json").read_text())["eval"]["total"] == 3


def test_an_adapter_outside_its_run_dir_loads_the_base_it_names(
    lora_run: tuple[Path, dict[str, Any]], tiny_model_dir: Path, tmp_path: Path
) -> None:
    """Copied away from ``resolved_config.yaml``, the adapter's own ``base_model_name_or_path`` is used."""
    import shutil

    from rlvr.models.loading import adapter_base

    run_dir, _ = lora_run
    adapter = shutil.copytree(run_dir / "final_model", tmp_path / "elsewhere" / "adapter")
    assert adapter_base(run_dir / "final_model")["model_name_or_path"] == str(tiny_model_dir)  # the run's
    assert adapter_base(adapter) == {"model_name_or_path": str(tiny_model_dir), "gguf_file": None}


@pytest.mark.parametrize(
    ("overrides", "completion", "expected"),
    [
        ([], "so 12\n#### 12", True),  # gsm8k set: format_compliance at its maximum (a final #### line)
        ([], "the answer is 12", False),
        (
            ["reward_component=think_format", "prompts=think_answer"],
            "<think>x</think><answer>3</answer>",
            True,
        ),
        (["reward_component=think_format", "prompts=think_answer"], "3", False),
    ],
)
def test_format_check_uses_the_reward_sets_format_reward(
    overrides: list[str], completion: str, expected: bool
) -> None:
    from rlvr.config import build
    from tests.conftest import compose_config

    check = build(compose_config(overrides).reward).format_check()
    assert check is not None and check(completion) is expected


class _PlacedModel:
    """Records where ``on_accelerator`` sends it."""

    def __init__(self, device_map=None):
        self.hf_device_map = device_map
        self.moved_to = None

    def to(self, device):
        self.moved_to = str(device)
        return self


def test_eval_and_profile_models_go_to_the_ranks_gpu(monkeypatch):
    """mode=eval/profile load without a Trainer, so nothing else moves the weights off the CPU: on a GPU
    machine the model lands on this rank's card; without CUDA, or placed by device_map, it stays."""
    import torch

    from rlvr.models.loading import on_accelerator

    cpu_only = _PlacedModel()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert on_accelerator(cpu_only).moved_to is None
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert on_accelerator(_PlacedModel()).moved_to == "cuda:1"
    assert on_accelerator(_PlacedModel(device_map={"": 0})).moved_to is None
