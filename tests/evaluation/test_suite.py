"""Benchmark suites compose and validate offline: the presets' hub ids, splits, fields, prompts, judges and
sampling are what the papers use, checked here without downloading anything; mistakes are named."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from rlvr.config import ConfigValidationError, validate_config
from rlvr.config.overrides import group_option_issues, normalise_overrides
from rlvr.evaluation.suite import Suite
from rlvr.modes import MODES
from tests.conftest import CONF_DIR, compose_config

# benchmark: (hub id, config, split, question field, answer field, parser, prompt format, judge, samples)
MATH_STD = {
    "gsm8k": ("openai/gsm8k", "main", "test", "question", "answer", "hash", "hash", "numeric", 0),
    "math500": ("HuggingFaceH4/MATH-500", None, "test", "problem", "answer", "raw", "boxed", "symbolic", 0),
    "minerva_math": (
        "math-ai/minervamath",
        None,
        "test",
        "question",
        "answer",
        "raw",
        "boxed",
        "symbolic",
        0,
    ),
    "olympiadbench": (
        "math-ai/olympiadbench",
        None,
        "test",
        "question",
        "final_answer",
        "raw",
        "boxed",
        "symbolic",
        0,
    ),
    "aime24": (
        "HuggingFaceH4/aime_2024",
        None,
        "train",
        "problem",
        "answer",
        "number",
        "boxed",
        "numeric",
        16,
    ),
    "aime25": ("math-ai/aime25", None, "test", "problem", "answer", "number", "boxed", "numeric", 16),
    "amc23": ("math-ai/amc23", None, "test", "question", "answer", "number", "boxed", "numeric", 16),
}


def _suite(*overrides: str) -> Suite:
    cfg = compose_config(["mode=eval", *overrides])
    validate_config(cfg, modes=MODES)
    return Suite.from_node(OmegaConf.to_container(cfg.eval.suite, resolve=True))


def test_math_std_lists_the_benchmarks_papers_report_in_order() -> None:
    suite = _suite("eval.suite=math_std")
    assert suite.name == "math_std" and [b.name for b in suite.benchmarks] == list(MATH_STD)
    for benchmark in suite.benchmarks:
        hub, config, split, question, answer, parser, fmt, judge, samples = MATH_STD[benchmark.name]
        node = benchmark.data_node()
        assert (node["hub_id"], node["hub_config"], node["train_split"]) == (hub, config, split), (
            benchmark.name
        )
        assert (node["question_field"], node["answer_field"], node["answer_parser"]) == (
            question,
            answer,
            parser,
        )
        assert node["path"] is None and node["eval_split"] is None and node["eval_holdout"] == 0
        assert benchmark.prompt["answer_format"] == fmt and benchmark.prompt["use_chat_template"] is True
        assert benchmark.judge["_target_"].endswith(f"{judge}_correctness")
        assert fmt in benchmark.judge["params"]["strategies"]
        assert benchmark.samples == samples
        assert benchmark.headline == ("mean@16" if samples else "accuracy")
    assert [b.harness_gsm8k for b in suite.benchmarks] == [True] + [False] * 6
    assert (suite.max_new_tokens, suite.temperature, suite.max_samples) == (1024, 0.6, None)


def test_gsm8k_std_is_greedy_gsm8k_test_with_the_harness_scores() -> None:
    (gsm8k,) = _suite("eval.suite=gsm8k_std").benchmarks
    assert (gsm8k.hub_id, gsm8k.hub_config, gsm8k.split, gsm8k.answer_parser) == (
        "openai/gsm8k",
        "main",
        "test",
        "hash",
    )
    assert gsm8k.samples == 0 and gsm8k.harness_gsm8k and gsm8k.prompt["answer_format"] == "hash"


def test_suite_prompts_follow_the_runs_chat_template_setting() -> None:
    suite = _suite("eval.suite=math_std", "prompts.use_chat_template=false")
    assert {b.prompt["use_chat_template"] for b in suite.benchmarks} == {False}


def test_a_local_path_replaces_the_hub_source() -> None:
    (gsm8k,) = _suite(
        "eval.suite=gsm8k_std",
        "eval.suite.benchmarks.gsm8k.path=pkg://rlvr/data/builtin/smoke_math_test.jsonl",
    ).benchmarks
    assert gsm8k.data_node()["hub_id"] is None
    assert gsm8k.data_node()["path"] == "pkg://rlvr/data/builtin/smoke_math_test.jsonl"


def test_evaluator_keys_per_benchmark() -> None:
    suite = _suite(
        "eval.suite=math_std", "eval.suite.max_samples=5", "eval.suite.benchmarks.aime24.max_samples=2"
    )
    by_name = {b.name: b for b in suite.benchmarks}
    greedy = by_name["math500"].evaluator_keys(suite, "boxed")
    assert greedy["samples_per_problem"] == 0 and greedy["max_samples"] == 5
    assert greedy["strategies"] == ["boxed", "last_number"] and greedy["max_new_tokens"] == 1024
    sampled = by_name["aime24"].evaluator_keys(suite, "boxed")
    assert (sampled["samples_per_problem"], sampled["k"], sampled["temperature"]) == (16, [16], 0.6)
    assert sampled["max_samples"] == 2  # the benchmark's own cap wins over the suite's


def test_no_suite_by_default_and_null_removes_one() -> None:
    assert compose_config([]).eval.suite is None
    assert compose_config(["eval.suite=math_std", "eval.suite=null"]).eval.suite is None


def test_the_override_is_a_group_choice() -> None:
    assert normalise_overrides(["eval.suite=math_std", "eval.suite.max_samples=3", "eval.suite=null"]) == [
        "eval_suite@eval.suite=math_std",
        "++eval.suite.max_samples=3",
        "~eval_suite@eval.suite",
    ]


def test_a_misspelled_suite_names_the_closest_one() -> None:
    (issue,) = group_option_issues(["eval.suite=math_sdt"])
    assert (issue.key, issue.value, issue.fix) == (
        "eval.suite",
        "math_sdt",
        "did you mean eval.suite=math_std?",
    )
    assert "gsm8k_std, math_std" in issue.rule


def test_every_suite_preset_composes_and_validates() -> None:
    for path in sorted((CONF_DIR / "eval_suite").glob("*.yaml")):
        assert _suite(f"eval.suite={path.stem}").benchmarks, path.stem


@pytest.mark.parametrize(
    ("override", "key", "rule"),
    [
        (
            "eval.suite.benchmarks.math500.path=/no/such/file.jsonl",
            "benchmarks.math500.path",
            "does not exist",
        ),
        ("++eval.suite.benchmarks.gsm8k.answer_parsr=hash", "benchmarks.gsm8k.answer_parsr", "unknown key"),
        ("++eval.suite.benchmarks.gsm8k.name=x", "benchmarks.gsm8k.name", "a benchmark is named by its key"),
        (
            "eval.suite.benchmarks.gsm8k.answer_parser=latex",
            "benchmarks.gsm8k.answer_parser",
            "number, hash, boxed, raw",  # the parsers it knows
        ),
        (
            "eval.suite.benchmarks.aime24.samples=-1",
            "benchmarks.aime24.samples",
            "must be at least 0 (0 is greedy)",
        ),
        ("eval.suite.benchmarks.aime25.k=[32]", "benchmarks.aime25.k", "between 1 and samples (16)"),
        (
            "eval.suite.benchmarks.olympiadbench.hub_id=olympiad",
            "benchmarks.olympiadbench.hub_id",
            "not a hub",
        ),
        ("eval.suite.benchmarks.math500.judge=exact", "benchmarks.math500.judge", "unknown judge"),
        (
            "eval.suite.benchmarks.amc23.judge._target_=rlvr.rewards.format.boxed_presence",
            "benchmarks.amc23.judge.params.strategies",
            "not a parameter",
        ),
        (
            "eval.suite.benchmarks.minerva_math.judge.params.strategies=[hash]",
            "benchmarks.minerva_math.judge.params.strategies",
            "never extracts them",
        ),
        (
            "eval.suite.benchmarks.gsm8k.prompt.user_template=x",
            "benchmarks.gsm8k.prompt.user_template",
            "{question}",
        ),
        ("eval.suite.max_samples=0", "max_samples", "must be at least 1"),
    ],
)
def test_suite_mistakes_are_named(override: str, key: str, rule: str) -> None:
    cfg = compose_config(["mode=eval", "eval.suite=math_std", override])
    with pytest.raises(ConfigValidationError) as err:
        validate_config(cfg, modes=MODES)
    issues = {issue.key: issue for issue in err.value.issues}
    assert f"eval.suite.{key}" in issues, sorted(issues)
    assert rule in str(issues[f"eval.suite.{key}"])


def test_a_judge_that_is_no_correctness_reward_is_refused() -> None:
    cfg = compose_config(
        [
            "mode=eval",
            "eval.suite=gsm8k_std",
            "eval.suite.benchmarks.gsm8k.judge._target_=rlvr.rewards.format.format_compliance",
            "~eval.suite.benchmarks.gsm8k.judge.params.strategies",
        ]
    )
    with pytest.raises(ConfigValidationError, match="judge._target_=.*not a correctness reward"):
        validate_config(cfg, modes=MODES)
