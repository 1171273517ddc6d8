"""The evaluator: greedy completions on the tiny offline model, and exact accuracy from fixed completions.

Two halves. The first runs real generation (a random-weight Llama, so the text is noise) and checks the
mechanics that do not depend on what the model says: caps, batching, report keys, and that the
``extracted`` column is the judge's own reading. The second replaces :meth:`GreedyAccuracy.generate`
with fixed completions, so accuracy has a known value under each judge — including FinQA's, which
disagrees with the plain numeric rule on percentages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from datasets import Dataset

from rlvr.config import build
from rlvr.config.errors import ConfigValidationError
from rlvr.config.validate import value_issues
from rlvr.evaluation.greedy import GreedyAccuracy
from rlvr.interfaces import Judge
from tests.conftest import compose_config

REPORT_KEYS = {
    "tag",
    "judge",
    "accuracy",
    "accuracy_ci",
    "correct",
    "total",
    "format_rate",
    "mean_completion_tokens",
    "truncation_rate",
    "seconds",
    "samples",
}
SAMPLED_KEYS = {"samples_per_problem", "temperature", "pass@1", "pass@1_ci", "pass@2", "pass@2_ci"}
SAMPLED_KEYS |= {"maj@1", "maj@1_ci", "maj@2", "maj@2_ci", "mean@2", "mean@2_ci"}
SAMPLE_KEYS = {"id", "question", "answer", "completion", "extracted", "correct", "completion_tokens"}
SAMPLE_KEYS |= {"truncated", "format_ok"}


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path) -> tuple[Any, Any]:
    from rlvr.models.hf import HFModel

    loaded = HFModel(str(tiny_model_dir), dtype="float32", lora={"enabled": False}).load()
    return loaded.model, loaded.tokenizer


def _questions(n: int) -> Dataset:
    """Chat prompts of different lengths, so a batch needs left padding."""
    return Dataset.from_list(
        [
            {
                "prompt": [{"role": "user", "content": "What is " + " + ".join(["1"] * (k + 1)) + "?"}],
                "answer": str(k + 1),
            }
            for k in range(n)
        ]
    )


# --- real generation on the tiny model -------------------------------------------------------------


def test_report_keys_and_sample_columns(tiny: tuple[Any, Any]) -> None:
    model, tokenizer = tiny
    report = GreedyAccuracy(max_new_tokens=4, batch_size=2, samples_per_problem=2, k=[1, 2]).evaluate(
        model, tokenizer, _questions(3), "before"
    )
    assert set(report) == REPORT_KEYS | SAMPLED_KEYS
    assert report["tag"] == "before" and report["total"] == 3 == len(report["samples"])
    sampled = {"sampled_correct", "maj@1", "maj@2"}
    assert all(set(sample) == SAMPLE_KEYS | sampled for sample in report["samples"])
    assert [s["answer"] for s in report["samples"]] == ["1", "2", "3"]
    assert [s["id"] for s in report["samples"]] == [0, 1, 2]  # no id column: the row's position
    assert all(1 <= s["completion_tokens"] <= 4 for s in report["samples"])
    assert all(s["truncated"] == (s["completion_tokens"] == 4) for s in report["samples"])
    assert report["accuracy"] == report["correct"] / report["total"]
    assert all(0 <= s["sampled_correct"] <= 2 for s in report["samples"])


def test_max_samples_caps_the_rows_generated(tiny: tuple[Any, Any]) -> None:
    model, tokenizer = tiny
    report = GreedyAccuracy(max_new_tokens=2, max_samples=2, samples_per_problem=0).evaluate(
        model, tokenizer, _questions(5), "t"
    )
    assert report["total"] == 2 and [s["answer"] for s in report["samples"]] == ["1", "2"]
    everything = GreedyAccuracy(max_new_tokens=2, max_samples=None, samples_per_problem=0).evaluate(
        model, tokenizer, _questions(5), "t"
    )
    assert everything["total"] == 5


def test_batches_give_the_same_completions_as_one_batch(tiny: tuple[Any, Any]) -> None:
    """Greedy decoding with left padding: how rows are grouped must not change what is generated."""
    model, tokenizer = tiny
    rows = _questions(5)
    one = GreedyAccuracy(max_new_tokens=6, batch_size=5, samples_per_problem=0).evaluate(
        model, tokenizer, rows, "t"
    )
    split = GreedyAccuracy(max_new_tokens=6, batch_size=2, samples_per_problem=0).evaluate(
        model, tokenizer, rows, "t"
    )
    assert [s["completion"] for s in split["samples"]] == [s["completion"] for s in one["samples"]]
    assert split["accuracy"] == one["accuracy"]


def test_extracted_column_is_the_judges_reading(tiny: tuple[Any, Any]) -> None:
    model, tokenizer = tiny
    evaluator = GreedyAccuracy(max_new_tokens=8, strategies=["last_number"], samples_per_problem=0)
    judge = evaluator.numeric_judge()
    report = evaluator.evaluate(model, tokenizer, _questions(3), "t", judge=None)
    assert report["judge"] == judge.name
    assert [s["extracted"] for s in report["samples"]] == [
        judge.extract(s["completion"]) for s in report["samples"]
    ]


def test_generation_leaves_the_models_mode_as_it_was(tiny: tuple[Any, Any]) -> None:
    """Evaluation runs between training steps: a model in train mode must come back in train mode."""
    model, tokenizer = tiny
    model.train()
    GreedyAccuracy(max_new_tokens=1).generate(model, tokenizer, _questions(1)["prompt"])
    assert model.training
    model.eval()


# --- fixed completions: exact accuracy under each judge ----------------------------------------------


@pytest.fixture
def fixed_completions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """Make ``generate`` answer row ``i`` (prompt ``q<i>``) with ``completions[i]``, its length in words,
    and record the batches of prompts it was given."""
    batches: list[list[str]] = []
    completions: list[str] = []

    def generate(
        self: GreedyAccuracy, model: Any, tokenizer: Any, prompts: list[Any]
    ) -> list[tuple[str, int]]:
        batches.append(list(prompts))
        return [(completions[int(p[1:])], len(completions[int(p[1:])].split())) for p in prompts]

    def sample(
        self: GreedyAccuracy, model: Any, tokenizer: Any, prompts: list[Any], positions: Any = None
    ) -> list[list[tuple[str, int]]]:
        """Sampled answers: ``sampled[i]`` when given, else the greedy completion every time."""
        return [
            [
                (text, 1)
                for text in sampled.get(int(p[1:]), [completions[int(p[1:])]] * self.samples_per_problem)
            ]
            for p in prompts
        ]

    sampled: dict[int, list[str]] = {}
    monkeypatch.setattr(GreedyAccuracy, "generate", generate)
    monkeypatch.setattr(GreedyAccuracy, "sample", sample)
    yield [completions, batches, sampled]


def _rows(answers: list[str], **columns: list[Any]) -> Dataset:
    return Dataset.from_list(
        [
            {"prompt": f"q{i}", "answer": a, **{k: v[i] for k, v in columns.items()}}
            for i, a in enumerate(answers)
        ]
    )


def test_numeric_judge_accuracy_is_exact(fixed_completions: list[list[Any]]) -> None:
    completions, *_ = fixed_completions
    completions += ["#### 12", "The answer is 7.", "#### 1,250"]
    report = GreedyAccuracy(judge="numeric").evaluate(None, None, _rows(["12", "8", "1250"]), "after")
    assert report["accuracy"] == pytest.approx(2 / 3) and report["correct"] == 2 and report["total"] == 3
    assert [s["correct"] for s in report["samples"]] == [True, False, True]
    assert [s["extracted"] for s in report["samples"]] == ["12", "7.", "1,250"]
    assert report["mean_completion_tokens"] == pytest.approx((2 + 4 + 2) / 3)


def test_batch_size_splits_rows_without_changing_the_result(fixed_completions: list[list[Any]]) -> None:
    completions, batches, _ = fixed_completions
    completions += ["#### 1", "#### 2", "#### 0", "#### 4", "#### 5"]
    report = GreedyAccuracy(batch_size=2).evaluate(None, None, _rows(["1", "2", "3", "4", "5"]), "t")
    assert [len(b) for b in batches] == [2, 2, 1]
    assert report["accuracy"] == pytest.approx(4 / 5)
    assert [s["answer"] for s in report["samples"]] == ["1", "2", "3", "4", "5"]


def test_reward_judge_decides_when_given(fixed_completions: list[list[Any]]) -> None:
    """The default gsm8k reward set reads `#### N` first, then the last number: the same 2 of 3."""
    completions, *_ = fixed_completions
    completions += ["#### 12", "no number here", "so 5 apples"]
    judge = build(compose_config().reward).judge()
    report = GreedyAccuracy().evaluate(None, None, _rows(["12", "3", "5"]), "t", judge=judge)
    assert report["judge"] == judge.name == "numeric_correctness at its maximum 2.0"
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert [s["extracted"] for s in report["samples"]] == [judge.extract(c) for c in completions]


def test_finqa_judge_and_numeric_judge_disagree_on_percentages(fixed_completions: list[list[Any]]) -> None:
    """FinQA's verifier accepts 0.143 for a gold of 14.3% and 14.2857 rounded to the gold's precision;
    the numeric rule accepts neither. ``judge`` picks which one the report follows."""
    completions, *_ = fixed_completions
    completions += ["#### 0.143", "#### 14.2857", "#### 14.3", "#### 20%"]
    rows = _rows(["14.3%", "14.3", "14.3%", "14.3%"], answer_type=["percent", "number", "percent", "percent"])
    finqa = build(compose_config(["data_component=finqa"]).reward).judge()
    assert finqa is not None
    by_reward = GreedyAccuracy(judge="reward").evaluate(None, None, rows, "t", judge=finqa)
    by_number = GreedyAccuracy(judge="numeric").evaluate(None, None, rows, "t", judge=finqa)
    assert by_reward["judge"].startswith("finqa_correctness")
    assert [s["correct"] for s in by_reward["samples"]] == [True, True, True, False]
    assert by_reward["accuracy"] == pytest.approx(3 / 4)
    assert by_number["judge"].startswith("numeric(")
    assert [s["correct"] for s in by_number["samples"]] == [False, False, True, False]
    assert by_number["accuracy"] == pytest.approx(1 / 4)


def test_extracted_column_follows_the_judge_in_use(fixed_completions: list[list[Any]]) -> None:
    """FinQA's reward reads ``<answer>`` before ``\\boxed``; eval's numeric strategies here read only
    ``boxed``. The column shows whichever span the judge in use compared."""
    completions, *_ = fixed_completions
    completions += ["\\boxed{1} then <answer>2</answer>"]
    rows = _rows(["2"], answer_type=["number"])
    finqa = build(compose_config(["data_component=finqa", "prompts.answer_format=answer_tag"]).reward).judge()
    evaluator = GreedyAccuracy(strategies=["boxed"])
    assert evaluator.evaluate(None, None, rows, "t", judge=finqa)["samples"][0]["extracted"] == "2"
    evaluator.judge = "numeric"
    numeric = evaluator.evaluate(None, None, rows, "t", judge=finqa)["samples"][0]
    assert (numeric["extracted"], numeric["correct"]) == ("1", False)


def test_no_rows_gives_zero_accuracy_not_an_error(fixed_completions: list[list[Any]]) -> None:
    report = GreedyAccuracy().evaluate(None, None, _rows([]), "t")
    assert (report["total"], report["accuracy"], report["samples"]) == (0, 0.0, [])


def test_a_custom_judge_is_used_as_given(fixed_completions: list[list[Any]]) -> None:
    completions, *_ = fixed_completions
    completions += ["yes", "no"]
    judge = Judge("says yes", lambda completion, row: completion == "yes", lambda completion: completion[:1])
    report = GreedyAccuracy().evaluate(None, None, _rows(["a", "b"]), "t", judge=judge)
    assert report["judge"] == "says yes" and report["accuracy"] == 0.5
    assert [s["extracted"] for s in report["samples"]] == ["y", "n"]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"judge": "majority"}, "eval.judge"),  # only reward or numeric
        ({"backend": "vllm"}, "eval.backend"),  # auto, hf or fast
        ({"strategies": ["hash", "hashh"]}, "eval.strategies"),  # a typo in a strategy name
        ({"metric_for_best": "loss"}, "eval.metric_for_best"),  # accuracy or format_rate
        ({"best_model": "last"}, "eval.best_model"),  # final or best
        ({"every_n_steps": -1}, "eval.every_n_steps"),  # 0 (off) or more
        ({"max_samples": 0}, "eval.max_samples"),  # 1 or more, or null
        ({"temperature": 0}, "eval.temperature"),  # sampling divides by it
        ({"samples_per_problem": 4, "k": [1, 8]}, "eval.k"),  # pass@8 needs 8 samples
        ({"samples_per_problem": 4, "k": [0]}, "eval.k"),  # k starts at 1
        ({"k": [1, 4, 16]}, "eval.k"),  # against the default samples_per_problem (8)
    ],
)
def test_config_issues(kwargs: dict[str, Any], key: str) -> None:
    """Annotations (types, choices, bounds) and the cross-key rules, as validation runs them."""
    assert [issue.key for issue in value_issues("eval", GreedyAccuracy, kwargs)] == [key]


def test_the_old_backend_name_validates_and_means_hf() -> None:
    assert value_issues("eval", GreedyAccuracy, {"backend": "trl"}) == []
    assert GreedyAccuracy(backend="trl").backend == "hf"


def test_an_evaluator_built_in_python_refuses_the_k_validation_refuses() -> None:
    """A k above samples_per_problem is the same error in Python as on the command line, not dropped."""
    with pytest.raises(ConfigValidationError) as caught:
        GreedyAccuracy(samples_per_problem=4, k=[1, 4, 8])
    assert [str(i) for i in caught.value.issues] == [
        str(i) for i in GreedyAccuracy.config_issues("eval", {"samples_per_problem": 4, "k": [1, 4, 8]})
    ]
    assert GreedyAccuracy(samples_per_problem=4, k=[4, 1]).k == [1, 4]
    assert GreedyAccuracy(samples_per_problem=0).k == []  # sampling off: no pass@k


def test_pass_and_majority_at_k_from_sampled_answers(fixed_completions: list[Any]) -> None:
    """Row 0: 1 of 4 samples right; row 1: 3 of 4 (majority right); row 2: a 2-2 tie, wrong answer first."""
    completions, _, sampled = fixed_completions
    completions += ["#### 1", "#### 0", "#### 3"]
    sampled[0] = ["#### 9", "#### 1", "#### 9", "#### 8"]
    sampled[1] = ["#### 2", "#### 5", "#### 2", "#### 2"]
    sampled[2] = ["#### 4", "#### 3", "#### 3", "#### 4"]
    evaluator = GreedyAccuracy(judge="numeric", samples_per_problem=4, k=[1, 2, 4], bootstrap_samples=200)
    report = evaluator.evaluate(None, None, _rows(["1", "2", "3"]), "t")
    assert report["accuracy"] == pytest.approx(2 / 3)  # greedy: rows 0 and 2
    assert [s["sampled_correct"] for s in report["samples"]] == [1, 3, 2]
    assert report["pass@1"] == pytest.approx((1 / 4 + 3 / 4 + 2 / 4) / 3)
    assert report["mean@4"] == report["pass@1"]  # the k samples averaged: 6 right of 12
    assert report["mean@4"] == pytest.approx(6 / 12)
    assert report["pass@2"] == pytest.approx((0.5 + 1.0 + 5 / 6) / 3)  # 1 - C(3,2)/C(4,2); 1; 1 - 1/6
    assert report["pass@4"] == pytest.approx(1.0)
    assert [s["maj@4"] for s in report["samples"]] == [False, True, False]  # row 2: "4" seen first wins
    assert [s["maj@1"] for s in report["samples"]] == [False, True, False]
    assert report["maj@4"] == pytest.approx(1 / 3)
    low, high = report["pass@1_ci"]
    assert low <= report["pass@1"] <= high


def test_format_truncation_and_per_task_breakdown(fixed_completions: list[Any]) -> None:
    completions, *_ = fixed_completions
    completions += ["#### 0.143", "14.3", "#### 7 and more words", "#### yes"]
    rows = _rows(["14.3%", "14.3", "7", "yes"], answer_type=["percent", "number", "number", "yes_no"])
    evaluator = GreedyAccuracy(judge="numeric", strategies=["hash"], max_new_tokens=4, samples_per_problem=0)
    report = evaluator.evaluate(None, None, rows, "t", format_check=lambda c: c.startswith("####"))
    assert report["format_rate"] == pytest.approx(3 / 4)
    assert report["truncation_rate"] == pytest.approx(1 / 4)  # only "#### 7 and more words" hits 4 tokens
    assert report["by_task"] == {
        "number": {"accuracy": 0.5, "accuracy_ci": [0.0, 1.0], "total": 2},
        "percent": {"accuracy": 0.0, "accuracy_ci": [0.0, 0.0], "total": 1},
        "yes_no": {"accuracy": 0.0, "accuracy_ci": [0.0, 0.0], "total": 1},
    }


def test_compare_gives_baseline_final_delta_and_a_paired_ci(fixed_completions: list[Any]) -> None:
    completions, *_ = fixed_completions
    completions += ["#### 1", "#### 0", "#### 0", "#### 0"]
    evaluator = GreedyAccuracy(judge="numeric", samples_per_problem=0, bootstrap_samples=500)
    before = evaluator.evaluate(None, None, _rows(["1", "2", "3", "4"]), "before")
    completions[1:3] = ["#### 2", "#### 3"]
    after = evaluator.evaluate(None, None, _rows(["1", "2", "3", "4"]), "after")
    comparison = evaluator.compare(before, after)["accuracy"]
    assert (comparison["before"], comparison["after"], comparison["delta"]) == (0.25, 0.75, 0.5)
    low, high = comparison["delta_ci"]
    assert 0.0 <= low <= 0.5 <= high <= 1.0  # the per-row differences are 0, 1, 1, 0
    assert comparison["text"].startswith("0.250 → 0.750 (Δ +0.500, 95% CI [")
    alone = evaluator.compare(None, after)["accuracy"]
    assert "before" not in alone and alone["text"].startswith("0.750 (95% CI [")


def test_k_issue_names_the_bad_values_and_the_fix() -> None:
    (issue,) = GreedyAccuracy.config_issues("eval", {"samples_per_problem": 4, "k": [1, 4, 8]})
    assert issue.rule == "every k must be between 1 and samples_per_problem (4); [8] is not"
    assert issue.fix == "drop [8] from eval.k or raise eval.samples_per_problem"
    assert (
        GreedyAccuracy.config_issues("eval", {"samples_per_problem": 0, "k": [1, 4, 8]}) == []
    )  # sampling off


@pytest.mark.parametrize("backend", ["hf", "fast"])
def test_sampling_is_seeded_and_leaves_the_global_rng_alone(tiny: tuple[Any, Any], backend: str) -> None:
    """Sampled pass@k completions repeat under one seed (so mode=eval reproduces a run's figure), differ
    under another, and do not move training's random stream."""
    import torch

    model, tokenizer = tiny
    prompts = _questions(2)["prompt"]

    def draw(seed: int) -> list[list[tuple[str, int]]]:
        evaluator = GreedyAccuracy(backend=backend, max_new_tokens=6, samples_per_problem=3, k=[1], seed=seed)
        return evaluator.sample(model, tokenizer, prompts)

    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    first = draw(0)
    assert torch.rand(1) == expected_next
    assert [len(group) for group in first] == [3, 3]
    assert draw(0) == first and draw(1) != first
