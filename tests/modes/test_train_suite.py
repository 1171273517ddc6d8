"""``mode=train eval.suite=<name>``: the suite on the policy at step 0 and on the final policy, paired.

A real tiny training run with a local two-benchmark suite (GSM8K-style rows sampled k=2, a greedy one) writes
``suite_before/`` and ``suite_after/`` as whole suite results and ``suite_compare.{json,md}`` equal to what
``mode=compare`` writes for those two folders; each side equals ``mode=eval eval.suite`` on the same weights.
The branches that skip an evaluation (no baseline, a resumed run, a signal) are checked on their own."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from rlvr.config import validate_config
from rlvr.modes import MODES
from rlvr.modes.train_suite import resumes, suite_after_training, suite_before_training, suite_interrupted
from rlvr.run_dir import RunDir
from tests.conftest import compose_config
from tests.modes.test_train import TEST, tiny_model_overrides, tiny_run_config

ARITH = [{"question": f"What is {a} + {b}?", "answer": str(a + b)} for a, b in ((2, 3), (10, 7), (4, 4))]


def suite_overrides(folder: Path) -> list[str]:
    """gsm8k_std pointed at the bundled test rows and sampled (k=2), plus a greedy benchmark from a file."""
    arith = folder / "arith.jsonl"
    arith.write_text("".join(json.dumps(row) + "\n" for row in ARITH))
    return [
        "eval.suite=gsm8k_std",
        f"eval.suite.benchmarks.gsm8k.path={TEST}",
        "eval.suite.benchmarks.gsm8k.samples=2",
        f"+eval.suite.benchmarks.arith={{title: Arith, path: '{arith}', answer_parser: number}}",
        "eval.suite.max_samples=3",
        "eval.suite.max_new_tokens=4",
        "eval.bootstrap_samples=50",
    ]


def test_train_with_a_suite_validates() -> None:
    """The command the README shows composes and validates as a training run (no model, no hub)."""
    cfg = compose_config(["eval.suite=gsm8k_std"])
    validate_config(cfg, modes=MODES)
    assert cfg.mode == "train" and cfg.eval.suite.name == "gsm8k_std"
    assert list(cfg.eval.suite.benchmarks) == ["gsm8k"]


@pytest.fixture(scope="module")
def suite_run(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    from rlvr.modes import run

    folder = tmp_path_factory.mktemp("suite-run")
    overrides = suite_overrides(folder)
    run(tiny_run_config(tiny_model_dir, *overrides), RunDir(folder / "run"))
    return folder, overrides


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_before_and_after_are_whole_suite_results(suite_run: tuple[Path, list[str]]) -> None:
    run_dir = suite_run[0] / "run"
    report = _json(run_dir / "eval_report.json")["suite"]
    assert report["name"] == "gsm8k_std" and set(report) == {"name", "before", "after", "comparison"}
    for side, step in (("before", 0), ("after", 2)):
        summary = _json(run_dir / f"suite_{side}" / "suite_summary.json")
        assert summary == json.loads(json.dumps(report[side], default=str))
        assert summary["model"].endswith(f" at step {step}")
        assert [(e["name"], e["headline"], e["rows"]) for e in summary["benchmarks"]] == [
            ("gsm8k", "mean@2", 3),
            ("arith", "accuracy", 3),
        ]
        for name in ("gsm8k", "arith"):
            assert len(_rows(run_dir / f"suite_{side}" / "suite" / f"{name}.jsonl")) == 3
            assert (run_dir / f"suite_{side}" / "suite" / f"{name}.md").read_text().startswith("# ")
        assert (run_dir / f"suite_{side}" / "suite_summary.md").read_text().startswith("# gsm8k_std: ")
        assert (run_dir / f"suite_{side}" / "suite_summary.png").stat().st_size > 1000
    logged = [r for r in _rows(run_dir / "metrics.jsonl") if str(r.get("tag", "")).startswith("suite_")]
    assert sorted((r["tag"], r["step"]) for r in logged) == [
        ("suite_after/arith", 2),
        ("suite_after/gsm8k", 2),
        ("suite_before/arith", 0),
        ("suite_before/gsm8k", 0),
    ]
    assert not (run_dir / "suite").exists()  # the in-training eval and before/after stay on the eval split
    assert _json(run_dir / "eval_report.json")["before"]["total"] == 2


@pytest.mark.slow
def test_the_comparison_is_mode_compares(suite_run: tuple[Path, list[str]], tmp_path: Path) -> None:
    """suite_compare.{json,md} are mode=compare's compare_report.json and compare_summary.md, figure for
    figure, for the two folders; the run report holds the same."""
    from rlvr.modes import run

    run_dir = suite_run[0] / "run"
    cfg = compose_config(
        [
            "mode=compare",
            f"a={run_dir / 'suite_before'}",
            f"b={run_dir / 'suite_after'}",
            "eval.bootstrap_samples=50",
        ]
    )
    validate_config(cfg, modes=MODES)
    result = run(cfg, RunDir(tmp_path))
    written = _json(run_dir / "suite_compare.json")
    assert written == json.loads(json.dumps(result, default=str))
    assert (run_dir / "suite_compare.md").read_text() == (tmp_path / "compare_summary.md").read_text()
    assert _json(run_dir / "eval_report.json")["suite"]["comparison"] == written
    assert [(b["name"], b["metric"], b["rows"]) for b in written["benchmarks"]] == [
        ("gsm8k", "mean@2", 3),
        ("arith", "accuracy", 3),
    ]
    for entry in written["benchmarks"]:
        low, high = entry["delta_ci"]
        assert low <= entry["delta"] <= high and 0 <= entry["p"] <= 1
        assert entry["line"].startswith(("GSM8K (mean@2) ", "Arith "))


@pytest.mark.slow
def test_each_side_is_mode_eval_on_the_same_weights(
    suite_run: tuple[Path, list[str]], tiny_model_dir: Path, tmp_path: Path
) -> None:
    """The baseline is the loaded model, the after side the saved final_model: mode=eval eval.suite on each
    gives the same completions and verdicts."""
    from rlvr.modes.eval import run

    folder, overrides = suite_run
    for side, model in (("before", tiny_model_dir), ("after", folder / "run" / "final_model")):
        cfg = compose_config(
            [
                *tiny_model_overrides(tiny_model_dir),
                *overrides,
                "mode=eval",
                f"model.model_name_or_path={model}",
            ]
        )
        validate_config(cfg, modes=MODES)
        run(cfg, RunDir(tmp_path / side))
        for name in ("gsm8k", "arith"):
            trained = _rows(folder / "run" / f"suite_{side}" / "suite" / f"{name}.jsonl")
            alone = _rows(tmp_path / side / "suite" / f"{name}.jsonl")
            keys = ("completion", "correct", "sampled_correct")
            assert [[r.get(k) for k in keys] for r in trained] == [[r.get(k) for k in keys] for r in alone]


@pytest.mark.slow
def test_a_signal_skips_the_suite_after_training(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training stopped by a signal: the baseline is written, the after side is not, and the report says why."""
    from rlvr.errors import Interrupted
    from rlvr.modes import run
    from rlvr.training.grpo import GRPOTrainingLoop

    trained = GRPOTrainingLoop.train
    monkeypatch.setattr(
        GRPOTrainingLoop,
        "train",
        lambda self, trainer: replace(trained(self, trainer), interrupted="SIGTERM"),
    )
    with pytest.raises(Interrupted):
        run(tiny_run_config(tiny_model_dir, *suite_overrides(tmp_path)), RunDir(tmp_path / "run"))
    report = _json(tmp_path / "run" / "eval_report.json")
    assert report["interrupted"] == {"signal": "SIGTERM", "step": 2}
    assert report["suite"]["after"] == {
        "skipped": "stopped by SIGTERM after step 2: the suite runs after training, when the run is resumed"
    }
    assert [e["name"] for e in report["suite"]["before"]["benchmarks"]] == ["gsm8k", "arith"]
    assert (tmp_path / "run" / "suite_before" / "suite_summary.json").is_file()
    assert not (tmp_path / "run" / "suite_after").exists()
    assert not (tmp_path / "run" / "suite_compare.json").exists()


def _config(*extra: str) -> Any:
    cfg = compose_config(["eval.suite=gsm8k_std", "eval.bootstrap_samples=50", *extra])
    validate_config(cfg, modes=MODES)
    return cfg


def _fake_suite(run_dir: RunDir, model: str, verdicts: list[bool]) -> dict[str, Any]:
    """A suite result as evaluate_suite writes it: one greedy benchmark table and suite_summary.json."""
    rows = [{"id": i, "correct": right} for i, right in enumerate(verdicts)]
    run_dir.file("suite").mkdir(exist_ok=True)
    run_dir.write_jsonl("suite/gsm8k.jsonl", rows)
    entry = {"name": "gsm8k", "title": "GSM8K", "headline": "accuracy", "samples": 0}
    summary = {"suite": "gsm8k_std", "model": model, "benchmarks": [{**entry, "table": "suite/gsm8k.jsonl"}]}
    run_dir.write_json("suite_summary.json", summary)
    return summary


def _scripted_after(monkeypatch: pytest.MonkeyPatch, verdicts: list[bool]) -> None:
    def evaluate(
        cfg: Any, run_dir: RunDir, policy: Any, observer: Any, step: int, tag: str
    ) -> dict[str, Any]:
        assert tag == "suite_after" and policy[2].endswith(f" at step {step}")
        return _fake_suite(run_dir, policy[2], verdicts)

    monkeypatch.setattr("rlvr.modes.train_suite.evaluate_suite", evaluate)


def test_no_baseline_when_before_training_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """eval.before_training=false: nothing evaluated at step 0 (the policy is never touched), the after side
    is, and there is no comparison, each said in the entry."""
    cfg = _config("eval.before_training=false")
    entry = suite_before_training(cfg, RunDir(tmp_path), (None, None), None, resumed=False)  # type: ignore[arg-type]
    reason = "eval.before_training=false: no baseline, so no comparison after training"
    assert entry == {"name": "gsm8k_std", "before": {"skipped": reason}}
    _scripted_after(monkeypatch, [True, False])
    after = suite_after_training(cfg, RunDir(tmp_path), (None, None), None, 3, entry)  # type: ignore[arg-type]
    assert after["after"]["model"].endswith(" at step 3") and "comparison" not in after
    assert not (tmp_path / "suite_before").exists() and not (tmp_path / "suite_compare.json").exists()


def test_eval_switched_off_evaluates_no_suite(tmp_path: Path) -> None:
    cfg = _config("eval.enabled=false")
    entry = suite_before_training(cfg, RunDir(tmp_path), (None, None), None, resumed=False)  # type: ignore[arg-type]
    after = suite_after_training(cfg, RunDir(tmp_path), (None, None), None, 3, entry)  # type: ignore[arg-type]
    assert after["after"] == {"skipped": "eval.enabled=false"} and "comparison" not in after
    assert list(tmp_path.iterdir()) == []


def test_a_resumed_run_compares_with_its_first_parts_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resumed run evaluates no baseline (its policy before training is not the checkpoint's); the
    suite_before/ its first part wrote is compared with the after side, as mode=compare would."""
    from rlvr.evaluation.suite_compare import compare_suites

    cfg = _config("train.resume_from_checkpoint=auto")
    (tmp_path / "checkpoints" / "checkpoint-2").mkdir(parents=True)
    assert resumes(cfg, RunDir(tmp_path))
    _fake_suite(RunDir(tmp_path / "suite_before"), "m at step 0", [False, False, True, False])
    entry = suite_before_training(cfg, RunDir(tmp_path), (None, None), None, resumed=True)  # type: ignore[arg-type]
    assert entry["before"]["kept"] is True and entry["before"]["skipped"].startswith("a resumed run")
    _scripted_after(monkeypatch, [True, True, True, False])
    after = suite_after_training(cfg, RunDir(tmp_path), (None, None), None, 4, entry)  # type: ignore[arg-type]
    expected = compare_suites(
        *(tmp_path / side / "suite_summary.json" for side in ("suite_before", "suite_after")), 50
    )
    assert after["comparison"] == expected == _json(tmp_path / "suite_compare.json")
    (gsm8k,) = expected["benchmarks"]
    assert (gsm8k["a"], gsm8k["b"], gsm8k["b_only_correct"], gsm8k["p"]) == (0.25, 0.75, 2, 0.5)


def test_a_resumed_run_without_a_baseline_compares_nothing(tmp_path: Path) -> None:
    entry = suite_before_training(_config(), RunDir(tmp_path), (None, None), None, resumed=True)  # type: ignore[arg-type]
    assert entry["before"] == {
        "skipped": "a resumed run: its policy before training is not the one training continues from; "
        "no suite_before/ to compare with",
        "kept": False,
    }


def test_when_a_run_resumes(tmp_path: Path) -> None:
    assert not resumes(_config(), RunDir(tmp_path))
    assert not resumes(_config("train.resume_from_checkpoint=auto"), RunDir(tmp_path))  # nothing to resume
    (tmp_path / "checkpoints" / "checkpoint-1").mkdir(parents=True)
    assert resumes(_config("train.resume_from_checkpoint=auto"), RunDir(tmp_path))


def test_no_suite_entry_without_a_suite_and_a_signal_marks_the_after_side() -> None:
    from rlvr.interfaces import TrainResult

    assert suite_interrupted(None, TrainResult(1, interrupted="SIGINT")) is None
    entry = suite_interrupted({"name": "s", "before": {}}, TrainResult(1, interrupted="SIGINT"))
    assert entry is not None and entry["after"]["skipped"].startswith("stopped by SIGINT after step 1")


@pytest.mark.slow
def test_suite_seconds_count_in_eval_time(suite_run: tuple[Path, list[str]]) -> None:
    """Evaluation's share of the run counts the suite before and after training, not only the eval split."""
    report = _json(suite_run[0] / "run" / "eval_report.json")
    suite = report["suite"]["before"]["seconds"] + report["suite"]["after"]["seconds"]
    evaluator = report["before"]["seconds"] + report["after"]["seconds"]
    assert suite > 0 and report["eval_time"]["eval_s"] == pytest.approx(suite + evaluator, abs=0.02)
