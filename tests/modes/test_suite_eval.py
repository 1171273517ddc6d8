"""``mode=eval eval.suite=math_std`` offline: every benchmark of the real preset pointed at a small fixture
file, the model replaced by scripted completions, so each figure has a hand-computed value — greedy
accuracy under each judge, k samples averaged (mean@k) and pass@k, lm-eval's strict-match beside the
judge — and the tables, summary and chart are written. The real-model path is the evaluator's own
(tests/evaluation/test_greedy.py); ``test_suite_on_the_tiny_model`` runs it once through a suite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.config import validate_config
from rlvr.evaluation.greedy import GreedyAccuracy
from rlvr.modes import MODES
from tests.conftest import compose_config

# benchmark -> (rows, greedy completion per row, sampled completions per row or None)
FIXTURES: dict[str, tuple[list[dict[str, Any]], list[str], list[list[str]] | None]] = {
    "gsm8k": (
        [
            {"question": "G1: 3 + 4?", "answer": "3 + 4 = 7\n#### 7"},
            {"question": "G2: 2 * 4?", "answer": "#### 8"},
            {"question": "G3: 8 * 9?", "answer": "#### 72"},
            {"question": "G4: 10 - 1?", "answer": "#### 9"},
        ],
        ["so 7\n#### 7", "The answer is 8", "#### 72.0", "#### 5"],
        None,
    ),
    "math500": (
        [
            {"problem": "M1: half of one?", "answer": "\\frac{1}{2}", "unique_id": "m/1"},
            {"problem": "M2: root of 4?", "answer": "2", "unique_id": "m/2"},
        ],
        ["It is \\boxed{0.5}.", "It is \\boxed{3}."],
        None,
    ),
    "minerva_math": (
        [{"question": "N1: 2^10?", "answer": "1024"}],
        ["\\boxed{1024}"],
        None,
    ),
    "olympiadbench": (
        [{"id": 7, "question": "O1: x if 2x = 1?", "final_answer": ["$\\frac{1}{2}$"]}],
        ["x = \\boxed{\\dfrac{1}{2}}"],
        None,
    ),
    "aime24": (
        [
            {"id": 60, "problem": "A1: 100 + 4?", "answer": "104"},
            {"id": 61, "problem": "A2: 9 * 9?", "answer": "81"},
        ],
        ["\\boxed{104}", "\\boxed{80}"],
        [
            ["\\boxed{104}", "\\boxed{1}", "\\boxed{2}", "\\boxed{3}"],  # 1 of 4 right
            ["\\boxed{81}", "\\boxed{81}", "\\boxed{81}", "\\boxed{0}"],  # 3 of 4 right
        ],
    ),
    "aime25": (
        [{"problem": "B1: 5 * 5?", "answer": "25"}],
        ["\\boxed{25}"],
        [["\\boxed{25}", "\\boxed{24}", "\\boxed{25}", "\\boxed{24}"]],  # 2 of 4
    ),
    "amc23": (
        [{"id": 0, "question": "C1: 27?", "answer": 27.0}],
        ["\\boxed{26}"],
        [["\\boxed{26}", "\\boxed{26}", "\\boxed{26}", "\\boxed{26}"]],  # none right
    ),
}


def _question(prompt: Any) -> str:
    text = prompt[-1]["content"] if isinstance(prompt, list) else str(prompt)
    return text.split(":", 1)[0].split()[-1]  # "G1", "M2", ... (the prompt may wrap the question)


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return install_scripted(monkeypatch)


def install_scripted(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The evaluator's generation replaced by the completions above, keyed by question; returns the greedy
    completions (a test may change them: another model)."""
    greedy: dict[str, str] = {}
    sampled: dict[str, list[str]] = {}
    for rows, completions, draws in FIXTURES.values():
        for i, row in enumerate(rows):
            key = str(row.get("question") or row.get("problem")).split(":", 1)[0]
            greedy[key] = completions[i]
            if draws:
                sampled[key] = draws[i]

    def generate(
        self: GreedyAccuracy, model: Any, tokenizer: Any, prompts: list[Any]
    ) -> list[tuple[str, int]]:
        return [(greedy[_question(p)], 3) for p in prompts]

    def sample(
        self: GreedyAccuracy, model: Any, tokenizer: Any, prompts: list[Any], positions: Any = None
    ) -> list[list[tuple[str, int]]]:
        return [[(text, 3) for text in sampled[_question(p)]] for p in prompts]

    monkeypatch.setattr(GreedyAccuracy, "generate", generate)
    monkeypatch.setattr(GreedyAccuracy, "sample", sample)
    monkeypatch.setattr(
        "rlvr.modes.eval.load_policy", lambda node: (None, None, str(node.model_name_or_path))
    )
    return greedy


def fixture_overrides(folder: Path, samples: int = 4) -> list[str]:
    """Point every math_std benchmark at a fixture file (the hub is never contacted); sampled ones draw 4."""
    overrides = []
    for name, (rows, _, draws) in FIXTURES.items():
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        overrides.append(f"eval.suite.benchmarks.{name}.path={path}")
        if draws:
            overrides.append(f"eval.suite.benchmarks.{name}.samples={samples}")
    return overrides


def _run_suite(tmp_path: Path, *extra: str, out: str = "run") -> dict[str, Any]:
    from rlvr.modes.eval import run
    from rlvr.run_dir import RunDir

    cfg = compose_config(
        [
            "mode=eval",
            "eval.suite=math_std",
            "model.model_name_or_path=scripted-model",
            "eval.bootstrap_samples=200",
            *fixture_overrides(tmp_path),
            *extra,
        ]
    )
    validate_config(cfg, modes=MODES)
    return run(cfg, RunDir(tmp_path / out))


def test_math_std_on_fixture_files_gives_the_hand_computed_figures(scripted: None, tmp_path: Path) -> None:
    report = _run_suite(tmp_path)
    by_name = {entry["name"]: entry for entry in report["suite"]["benchmarks"]}
    assert list(by_name) == list(FIXTURES)
    gsm8k = by_name["gsm8k"]["metrics"]
    assert gsm8k["accuracy"]["value"] == 0.75  # judge: 7, 8 (last number), 72.0 = 72 right; 5 wrong
    assert gsm8k["strict_match"]["value"] == 0.25  # only "#### 7": "#### 72.0" is not the string 72
    assert gsm8k["flexible_extract"]["value"] == 0.5  # 7 and 8
    assert by_name["math500"]["value"] == 0.5  # \boxed{0.5} = \frac{1}{2} (math-verify); 3 != 2
    assert by_name["minerva_math"]["value"] == 1.0
    assert by_name["olympiadbench"]["value"] == 1.0  # gold read from the list ['$\frac{1}{2}$']
    aime24 = by_name["aime24"]
    assert (aime24["headline"], aime24["value"]) == ("mean@4", pytest.approx((1 / 4 + 3 / 4) / 2))
    assert aime24["metrics"]["pass@4"]["value"] == 1.0  # each problem has a right sample among its 4
    assert aime24["metrics"]["accuracy"]["value"] == 0.5  # greedy: 104 right, 80 wrong
    assert by_name["aime25"]["value"] == 0.5 and by_name["amc23"]["value"] == 0.0
    assert [e["rows"] for e in by_name.values()] == [4, 2, 1, 1, 2, 1, 1]
    for entry in by_name.values():
        low, high = entry["ci"]
        assert low <= entry["value"] <= high


def test_suite_writes_a_table_per_benchmark_and_a_summary(scripted: None, tmp_path: Path) -> None:
    report = _run_suite(tmp_path)
    run_dir = tmp_path / "run"
    rows = [json.loads(line) for line in (run_dir / "suite" / "gsm8k.jsonl").read_text().splitlines()]
    assert [r["correct"] for r in rows] == [True, True, True, False]
    assert [r["strict_match"] for r in rows] == [True, False, False, False]
    aime = [json.loads(line) for line in (run_dir / "suite" / "aime24.jsonl").read_text().splitlines()]
    assert [(r["id"], r["sampled_correct"]) for r in aime] == [(60, 1), (61, 3)]  # the data's own ids
    assert "| strict-match (lm-eval) | 25.0 |" in (run_dir / "suite" / "gsm8k.md").read_text()
    summary = json.loads((run_dir / "suite_summary.json").read_text())
    assert summary == json.loads(json.dumps(report["suite"], default=str))
    assert summary["suite"] == "math_std" and summary["model"] == "scripted-model"
    assert summary["benchmarks"][0]["source"].endswith("gsm8k.jsonl")
    markdown = (run_dir / "suite_summary.md").read_text()
    assert "| GSM8K | 4 | accuracy | 75.0 [" in markdown and "strict-match (lm-eval) 25.0 [" in markdown
    assert "| AIME24 | 2 | mean@4 | 50.0 [" in markdown and "pass@4 100.0 [" in markdown
    assert (run_dir / "suite_summary.png").stat().st_size > 1000
    assert json.loads((run_dir / "eval_report.json").read_text())["suite"]["suite"] == "math_std"
    logged = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert {r["tag"] for r in logged if r["kind"] == "eval"} == {f"suite/{name}" for name in FIXTURES}
    assert next(r for r in logged if r["tag"] == "suite/gsm8k")["eval/suite/gsm8k/strict_match"] == 0.25
    run_summary = (run_dir / "summary.md").read_text()  # the run's own summary reads the suite's figures
    assert "| suite gsm8k | accuracy 0.75 |" in run_summary and "| suite aime24 | mean@4 0.5 |" in run_summary
    assert "| accuracy | on the suite's benchmarks (below) |" in run_summary


def test_suite_caps_rows_per_benchmark(scripted: None, tmp_path: Path) -> None:
    report = _run_suite(tmp_path, "eval.suite.max_samples=1")
    assert {entry["rows"] for entry in report["suite"]["benchmarks"]} == {1}


def test_base_then_trained_then_compare(scripted: dict[str, str], tmp_path: Path) -> None:
    """The three commands: evaluate a base model, evaluate "the trained one" (two GSM8K answers fixed),
    compare: GSM8K +25 pts (72.0 was already right), the rest unchanged (Δ 0, p = 1)."""
    from rlvr.modes import run
    from rlvr.run_dir import RunDir

    _run_suite(tmp_path, out="base")
    scripted.update({"G4": "#### 9", "G3": "#### 72"})
    _run_suite(tmp_path, "model.model_name_or_path=outputs/run/final_model", out="trained")
    cfg = compose_config(["mode=compare", f"a={tmp_path / 'base'}", f"b={tmp_path / 'trained'}"])
    validate_config(cfg, modes=MODES)
    result = run(cfg, RunDir(tmp_path / "compare"))
    by_name = {entry["name"]: entry for entry in result["benchmarks"]}
    assert (by_name["gsm8k"]["a"], by_name["gsm8k"]["b"], by_name["gsm8k"]["b_only_correct"]) == (
        0.75,
        1.0,
        1,
    )
    assert by_name["gsm8k"]["line"].startswith("GSM8K +25.0 pts [")
    assert result["b_model"] == "outputs/run/final_model"
    assert all(
        entry["delta"] == 0 and entry["p"] == 1.0 for name, entry in by_name.items() if name != "gsm8k"
    )


SMOKE_TEST = "pkg://rlvr/data/builtin/smoke_math_test.jsonl"


def _run_tiny_suite(tiny_model_dir: Path, tmp_path: Path, *extra: str) -> dict[str, Any]:
    """``mode=eval eval.suite=gsm8k_std`` on the tiny model (fp32, no LoRA), GSM8K pointed at the packaged
    8-row smoke test; ``extra`` overrides add benchmarks or change sampling."""
    from rlvr.modes.eval import run
    from rlvr.run_dir import RunDir

    cfg = compose_config(
        [
            "mode=eval",
            "eval.suite=gsm8k_std",
            f"model.model_name_or_path={tiny_model_dir}",
            "model.lora.enabled=false",
            "model.dtype=float32",
            "eval.bootstrap_samples=50",
            f"eval.suite.benchmarks.gsm8k.path={SMOKE_TEST}",
            *extra,
        ]
    )
    validate_config(cfg, modes=MODES)
    return run(cfg, RunDir(tmp_path))


def test_suite_on_the_tiny_model(tiny_model_dir: Path, tmp_path: Path) -> None:
    """The real path once: a model is loaded, its tokenizer renders each benchmark's prompt and the
    evaluator generates (greedy and sampled) — noise from random weights, but every row is judged."""
    report = _run_tiny_suite(
        tiny_model_dir, tmp_path, "eval.max_new_tokens=4", "eval.suite.benchmarks.gsm8k.samples=2"
    )
    (entry,) = report["suite"]["benchmarks"]
    assert entry["rows"] == 8 and entry["headline"] == "mean@2"
    rows = [json.loads(line) for line in (tmp_path / "suite" / "gsm8k.jsonl").read_text().splitlines()]
    assert len(rows) == 8 and all(1 <= r["completion_tokens"] <= 4 for r in rows)
    assert all({"strict_match", "flexible_extract", "sampled_correct"} <= r.keys() for r in rows)


def test_suite_benchmarks_share_one_rollout_engine(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every benchmark of a suite generates through the same inference copy of the model (one engine, one
    set of compiled graphs on a GPU), not one engine per benchmark: the copy and its graphs cost seconds."""
    from rlvr.rollout import engine as engine_module

    built: list[object] = []

    class CountedEngine(engine_module.RolloutEngine):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(engine_module, "RolloutEngine", CountedEngine)
    report = _run_tiny_suite(
        tiny_model_dir,
        tmp_path,
        "eval.backend=fast",
        "eval.max_new_tokens=3",
        f"+eval.suite.benchmarks.again.path={SMOKE_TEST}",
        "+eval.suite.benchmarks.again.answer_parser=hash",
        "+eval.suite.benchmarks.again.samples=2",
    )
    assert [e["name"] for e in report["suite"]["benchmarks"]] == ["gsm8k", "again"]
    assert [e["rows"] for e in report["suite"]["benchmarks"]] == [8, 8]
    assert len(built) == 1
