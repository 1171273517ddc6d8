"""A sweep over seeds: each configuration's figures as mean [t interval] over its seeds, and each
configuration against the first over matched seeds (paired t), against hand-computed values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rlvr.sweep_seeds import seed_statistics, split_seed
from rlvr.sweep_summary import summarise

ROOT = Path(__file__).resolve().parents[1]
# (learning rate, seed) -> (accuracy before, accuracy after)
JOBS = {
    ("1e-05", "1"): (0.3, 0.5),
    ("1e-05", "2"): (0.3, 0.6),
    ("1e-05", "3"): (0.3, 0.7),
    ("3e-05", "1"): (0.3, 0.6),
    ("3e-05", "2"): (0.3, 0.65),
    ("3e-05", "3"): (0.3, 0.8),
}


def _sweep_dir(root: Path, failed: tuple[str, str] | None = None) -> Path:
    """A finished sweep as the jobs leave it: overrides, status and eval report per numbered dir."""
    for number, ((lr, seed), (before, after)) in enumerate(JOBS.items()):
        job = root / str(number)
        (job / ".hydra").mkdir(parents=True)
        overrides = [f"seed={seed}", f"train.learning_rate={lr}", "hydra.verbose=false"]
        (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
        ok = (lr, seed) != failed
        (job / "status.json").write_text(json.dumps({"status": "ok" if ok else "failed", "seconds": 1.0}))
        report = {"before": {"accuracy": before}, "after": {"accuracy": after}}
        (job / "eval_report.json").write_text(json.dumps(report))
    return root


def test_split_seed() -> None:
    assert split_seed("seed=3 train.learning_rate=1e-05") == ("train.learning_rate=1e-05", "3")
    assert split_seed("seed=3") == ("(the common settings)", "3")
    assert split_seed("seed=3 ++eval.k=[1] mode=eval", frozenset({"mode=eval"})) == ("eval.k=[1]", "3")
    assert split_seed("train.beta=0.1") == ("train.beta=0.1", None)


def test_mean_and_interval_per_configuration(tmp_path: Path) -> None:
    summarise(_sweep_dir(tmp_path))
    stats = json.loads((tmp_path / "sweep_seeds.json").read_text())
    first, second = stats["configurations"]
    assert (first["configuration"], first["seeds"]) == ("train.learning_rate=1e-05", ["1", "2", "3"])
    after = first["accuracy_after"]  # 0.5, 0.6, 0.7: sd 0.1, half-width 4.3027 · 0.1 / √3 = 0.2484
    assert after["mean"] == pytest.approx(0.6) and after["n"] == 3
    assert (after["low"], after["high"]) == (
        pytest.approx(0.35158, abs=1e-5),
        pytest.approx(0.84842, abs=1e-5),
    )
    assert first["accuracy_before"] == {
        "mean": pytest.approx(0.3),
        "low": pytest.approx(0.3),
        "high": pytest.approx(0.3),
        "n": 3,
    }
    assert second["accuracy_after"]["mean"] == pytest.approx(0.6833333)


def test_paired_comparison_over_matched_seeds(tmp_path: Path) -> None:
    summarise(_sweep_dir(tmp_path))
    (paired,) = json.loads((tmp_path / "sweep_seeds.json").read_text())["paired"]
    assert (paired["a"], paired["b"], paired["seeds"]) == (
        "train.learning_rate=1e-05",
        "train.learning_rate=3e-05",
        ["1", "2", "3"],
    )
    after = paired["figures"]["accuracy_after"]  # differences 0.1, 0.05, 0.1: t = 5.0 on 2 df
    assert after["delta"] == pytest.approx(1 / 12) and after["p"] == pytest.approx(0.03775, abs=1e-5)
    assert paired["figures"]["accuracy_before"]["p"] is None  # no spread in the differences: no test
    markdown = (tmp_path / "sweep_summary.md").read_text()
    assert "## Over seeds: mean [95 % CI, Student t]" in markdown
    assert "| train.learning_rate=1e-05 | 1, 2, 3 | 0.6 [0.3516, 0.8484] (n=3) |" in markdown
    assert (
        "| train.learning_rate=1e-05 | train.learning_rate=3e-05 | 1, 2, 3 | accuracy_after | +0.08333 ["
        in markdown
    )
    assert "| 0.038 |" in markdown


def test_a_failed_seed_is_left_out_and_unmatched_seeds_are_not_paired(tmp_path: Path) -> None:
    summarise(_sweep_dir(tmp_path, failed=("3e-05", "2")))
    stats = json.loads((tmp_path / "sweep_seeds.json").read_text())
    assert stats["configurations"][1]["seeds"] == ["1", "3"]
    (paired,) = stats["paired"]
    assert paired["seeds"] == ["1", "3"]  # seed 2 has no partner
    assert paired["figures"]["accuracy_after"]["delta"] == pytest.approx((0.1 + 0.1) / 2)


def test_no_seed_section_without_seeds() -> None:
    rows = [{"overrides": "train.beta=0.1", "status": "ok", "accuracy_after": 0.5}]
    assert seed_statistics(rows) is None
    assert (
        seed_statistics([{"overrides": "seed=1", "status": "ok", "accuracy_after": 0.5}]) is None
    )  # one seed


def test_a_real_sweep_over_seeds_writes_the_section(tmp_path: Path, tiny_model_dir: Path) -> None:
    """``-m seed=1,2`` over two configurations on the tiny model (mode=eval, 2 rows): the jobs' own
    ``.hydra/overrides.yaml`` are read, the greedy figures are equal across seeds (no spread, no test)."""
    command = [
        sys.executable,
        str(ROOT / "run_pipeline.py"),
        "-m",
        "mode=eval",
        "seed=1,2",
        "eval.max_new_tokens=2,3",
        f"model.model_name_or_path={tiny_model_dir}",
        "model.lora.enabled=false",
        "model.dtype=float32",
        "data.hub_id=null",
        "data.path=pkg://rlvr/data/builtin/smoke_math_train.jsonl",
        "data.eval_path=pkg://rlvr/data/builtin/smoke_math_test.jsonl",
        "eval.max_samples=2",
        "eval.samples_per_problem=0",
        "eval.bootstrap_samples=10",
    ]
    result = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (stats_file,) = (tmp_path / "multirun").glob("*/*/sweep_seeds.json")
    stats = json.loads(stats_file.read_text())
    assert [c["seeds"] for c in stats["configurations"]] == [["1", "2"], ["1", "2"]]
    assert {c["configuration"] for c in stats["configurations"]} == {
        "eval.max_new_tokens=2",
        "eval.max_new_tokens=3",
    }
    assert all(c["accuracy_after"]["n"] == 2 for c in stats["configurations"])  # mode=eval's accuracy
    assert "## Paired over matched seeds" in (stats_file.parent / "sweep_summary.md").read_text()
