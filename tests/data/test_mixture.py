"""Several tasks in one run: rows mixed by weight (hand-computed counts), each keeping its task; rewards and
the eval judge routed by task; mistakes in the mixture named at validation."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from omegaconf import OmegaConf

from rlvr.config import ConfigValidationError, build, validate_config
from rlvr.data.mixture import MixtureData, draw, interleave, mix_counts, unify
from rlvr.modes import MODES
from rlvr.prompts import PromptTemplate
from tests.conftest import compose_config

SMOKE = "pkg://rlvr/data/builtin/smoke_math_{}.jsonl"
#: GSM8K from the bundled smoke files, FinQA from its bundled sample, no reasoning-gym (an optional extra).
OFFLINE = [
    "data_component=mixture",
    "data.tasks.gsm8k.data.hub_id=null",
    f"data.tasks.gsm8k.data.path={SMOKE.format('train')}",
    f"data.tasks.gsm8k.data.eval_path={SMOKE.format('test')}",
    "~data.tasks.reasoning_gym",
]


@pytest.mark.parametrize(
    ("weights", "available", "size", "expected"),
    [
        # size null: FinQA's 8 rows at a quarter share cap the total at 32 = 16 + 8 + 8
        ({"a": 0.5, "b": 0.25, "c": 0.25}, {"a": 100, "b": 8, "c": 40}, None, {"a": 16, "b": 8, "c": 8}),
        # 10 rows: quotas 5, 2.5, 2.5 → floors 5, 2, 2; the one left goes to the first largest remainder
        ({"a": 0.5, "b": 0.25, "c": 0.25}, {"a": 100, "b": 8, "c": 40}, 10, {"a": 5, "b": 3, "c": 2}),
        # weights need not sum to 1: 2:1 of 30 rows
        ({"a": 2, "b": 1}, {"a": 5, "b": 5}, 30, {"a": 20, "b": 10}),
        # size null with 2:1 and 5 rows each: a's 5 rows at 2/3 allow 7 (7.5 floored) → 5 and 2
        ({"a": 2, "b": 1}, {"a": 5, "b": 5}, None, {"a": 5, "b": 2}),
    ],
)
def test_mix_counts(
    weights: dict[str, float], available: dict[str, int], size: int | None, expected: dict[str, int]
) -> None:
    assert mix_counts(weights, available, size) == expected


def test_draw_takes_distinct_rows_and_repeats_only_when_short() -> None:
    rows = [{"i": i} for i in range(5)]
    picked = draw(rows, 3, random.Random(0))
    assert len(picked) == 3 and len({r["i"] for r in picked}) == 3
    repeated = draw(rows, 12, random.Random(0))  # every row twice, then 2 more distinct ones
    assert sorted(r["i"] for r in repeated[:10]) == sorted(list(range(5)) * 2) and len(repeated) == 12


def test_interleave_covers_every_task_in_any_prefix() -> None:
    parts = [
        [{"t": "a", "i": i} for i in range(4)],
        [{"t": "b", "i": 0}],
        [{"t": "c", "i": i} for i in range(2)],
    ]
    assert [(r["t"], r["i"]) for r in interleave(parts)] == [
        ("a", 0), ("b", 0), ("c", 0), ("a", 1), ("c", 1), ("a", 2), ("a", 3)
    ]  # fmt: skip


def test_unify_fills_missing_columns_and_text_for_mixed_types() -> None:
    rows = unify([{"task": "a", "id": 3, "x": 1}, {"task": "b", "id": "q7"}])
    assert rows == [{"task": "a", "id": "3", "x": 1}, {"task": "b", "id": "q7", "x": None}]


def _mixture(*extra: str) -> tuple[Any, Any]:
    cfg = compose_config([*OFFLINE, *extra])
    validate_config(cfg, modes=MODES)
    return cfg, build(cfg.data).load(build(cfg.prompts))


def test_loading_mixes_by_weight_and_keeps_each_rows_task() -> None:
    """GSM8K: 32 train rows at weight 0.5; FinQA: 4 (6 minus 2 held out) at 0.25 → total capped at
    4 / (0.25 / 0.75) = 12: 8 GSM8K rows and 4 FinQA rows."""
    _, data = _mixture()
    tasks = data.train["task"]
    assert (tasks.count("gsm8k"), tasks.count("finqa"), len(tasks)) == (8, 4, 12)
    assert tasks != sorted(tasks)  # shuffled, not task by task
    report = data.info["tasks"]
    assert (report["gsm8k"]["train_rows"], report["gsm8k"]["available"], report["gsm8k"]["share"]) == (
        8,
        32,
        0.6667,
    )
    assert (report["finqa"]["train_rows"], report["finqa"]["available"]) == (4, 4)
    assert data.info["splits"] == {"train": {"rows": 12}, "eval": {"rows": 10}}
    assert data.eval["task"][:4] == ["gsm8k", "finqa", "gsm8k", "finqa"]  # interleaved: 8 GSM8K, 2 FinQA
    finqa = next(row for row in data.train if row["task"] == "finqa")
    gsm8k = next(row for row in data.train if row["task"] == "gsm8k")
    assert finqa["answer_type"] and gsm8k["answer_type"] is None and gsm8k["solution"]  # columns of both
    assert "financial analyst" in finqa["prompt"][0]["content"]  # FinQA's own prompt
    assert "math tutor" in gsm8k["prompt"][0]["content"]  # the run's prompt


def test_size_and_seed() -> None:
    _, data = _mixture("data.size=20", "data.eval_size=1")
    tasks = data.train["task"]
    assert (tasks.count("gsm8k"), tasks.count("finqa")) == (13, 7)  # 2:1 of 20 → 13.33, 6.67: FinQA repeats
    assert data.eval["task"] == ["gsm8k", "finqa"]
    _, again = _mixture("data.size=20", "data.eval_size=1")
    _, other = _mixture("data.size=20", "data.eval_size=1", "seed=7")
    assert again.train["question"] == data.train["question"] != other.train["question"]


def test_rewards_route_by_task_and_log_per_task_means() -> None:
    cfg = compose_config(OFFLINE)
    rewards = build(cfg.reward)
    names = [f.name for f in rewards.functions]
    assert names[:3] == ["gsm8k_correctness", "finqa_correctness", "reasoning_gym_score"]
    logged: dict[str, list[float]] = {}
    batch = {
        "answer": ["7", "14.3%", "9"],
        "task": ["gsm8k", "finqa", "gsm8k"],
        "log_metric": lambda name, value: logged.setdefault(name, []).append(value),
    }
    completions = ["#### 7", "#### 14.29%", "#### 8"]
    gsm8k, finqa = rewards.functions[0], rewards.functions[1]
    assert gsm8k(prompts=None, completions=completions, **batch) == [2.0, None, 0.0]
    assert finqa(prompts=None, completions=completions, **batch) == [None, 2.0, None]  # rounds to 14.3%
    assert logged["tasks/gsm8k/gsm8k_correctness/mean"] == [1.0]
    assert logged["tasks/finqa/finqa_correctness/mean"] == [2.0]
    assert "tasks/finqa/gsm8k_correctness/mean" not in logged  # not its task: no score, no mean
    fmt = rewards.functions[3]
    fmt(prompts=None, completions=completions, **batch)
    assert logged["tasks/gsm8k/format_compliance/mean"] == [0.5] and logged[
        "tasks/finqa/format_compliance/mean"
    ] == [0.5]


def test_a_routed_reward_without_task_column_says_what_to_do() -> None:
    rewards = build(compose_config(OFFLINE).reward)
    with pytest.raises(KeyError, match="no `task` column; use data_component=mixture"):
        rewards.functions[0](prompts=None, completions=["#### 7"], answer=["7"])


def test_the_eval_judge_is_each_rows_own_task_judge() -> None:
    judge = build(compose_config(OFFLINE).reward).judge()
    assert judge is not None and judge.name.startswith("per task: gsm8k: gsm8k_correctness")
    finqa_row = {"answer": "14.3%", "task": "finqa"}
    gsm8k_row = {"answer": "14.3", "task": "gsm8k"}
    assert judge.is_correct("#### 14.29%", finqa_row)  # FinQA rounds to the gold's precision
    assert not judge.is_correct("#### 14.29", gsm8k_row)  # GSM8K's numeric rule does not
    assert judge.for_row(finqa_row).name.startswith("finqa_correctness")
    assert judge.for_row({"task": "other"}) is judge


def test_per_task_eval_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The evaluator's by_task: each task's accuracy, judged by its own reward."""
    from rlvr.evaluation.greedy import GreedyAccuracy

    cfg, data = _mixture()
    answers = {row["question"] or row["prompt"][-1]["content"]: row["answer"] for row in data.eval}

    def generate(self: Any, model: Any, tokenizer: Any, prompts: list[Any]) -> list[tuple[str, int]]:
        return [(f"#### {answers[p[-1]['content']]}", 2) for p in prompts]  # every answer right

    monkeypatch.setattr(GreedyAccuracy, "generate", generate)
    rewards = build(cfg.reward)
    report = GreedyAccuracy(samples_per_problem=0, max_samples=None).evaluate(
        None, None, data.eval, "t", rewards.judge()
    )
    assert {task: row["total"] for task, row in report["by_task"].items()} == {"gsm8k": 8, "finqa": 2}
    assert report["accuracy"] == 1.0 and all(row["accuracy"] == 1.0 for row in report["by_task"].values())


@pytest.mark.parametrize(
    ("overrides", "key", "rule"),
    [
        (["data.tasks.finqa.weight=0"], "data.tasks.finqa.weight", "must be greater than 0"),
        (["++data.tasks.finqa.wieght=1"], "data.tasks.finqa.wieght", "unknown key"),
        (["data.tasks.finqa.data.path=/no/such.json"], "data.tasks.finqa.data.path", "does not exist"),
        (["data.size=0"], "data.size", "must be at least 1"),
        (["reward.reward_functions[1].tasks=[finqq]"], "reward.reward_functions[1].tasks", "no task 'finqq'"),
        (["reward.reward_functions[1].tasks=[other]"], "data.tasks.finqa", "no correctness reward scores"),
        (
            ["data.tasks.finqa.prompt.answer_format=boxed"],
            "data.tasks.finqa.prompt.answer_format",
            "rewards read 'hash' answers",
        ),
        (
            ["reward.reward_functions[0].tasks=7"],
            "reward.reward_functions[0].tasks",
            "expected a list of strings or null",
        ),
    ],
)
def test_mixture_mistakes_are_named(overrides: list[str], key: str, rule: str) -> None:
    cfg = compose_config([*OFFLINE, *overrides])
    with pytest.raises(ConfigValidationError) as err:
        validate_config(cfg, modes=MODES)
    issues = {issue.key: issue for issue in err.value.issues}
    assert key in issues, sorted(issues)
    assert rule in issues[key].rule


def test_the_preset_with_reasoning_gym_composes_and_validates() -> None:
    pytest.importorskip("reasoning_gym", reason="needs the optional reasoning-gym extra")
    cfg = compose_config(["data_component=mixture"])
    validate_config(cfg, modes=MODES)
    assert list(cfg.data.tasks) == ["gsm8k", "finqa", "reasoning_gym"]
    assert cfg.data.tasks.gsm8k.data.hub_id == "openai/gsm8k"
    assert [e.get("tasks") for e in OmegaConf.to_container(cfg.reward.reward_functions)] == [
        ["gsm8k"], ["finqa"], ["reasoning_gym"], None
    ]  # fmt: skip


def test_mixing_files_of_your_own(tmp_path: Path) -> None:
    """Any data component is a task: two generic files, weights 3:1, 8 rows in all."""
    for name, n in (("easy", 10), ("hard", 10)):
        rows = [{"question": f"{name} {i}?", "answer": i} for i in range(n)]
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    tasks = {
        name: {
            "weight": weight,
            "data": {
                "_target_": "rlvr.data.generic.GenericQAData",
                "path": str(tmp_path / f"{name}.jsonl"),
                "eval_holdout": 2,
            },
        }
        for name, weight in (("easy", 3), ("hard", 1))
    }
    data = MixtureData(tasks, size=8).load(PromptTemplate())
    assert (data.train["task"].count("easy"), data.train["task"].count("hard")) == (6, 2)
    assert data.eval["task"] == ["easy", "hard", "easy", "hard"]


def test_check_holds_each_correctness_reward_to_its_own_tasks_rows() -> None:
    """mode=check's gold test on a mixture (dataset columns, not lists): every gold answer gets its own
    task's maximum; rows of other tasks are left unscored by a routed reward, not counted as misses."""
    from rlvr.modes.check import score_gold

    cfg, data = _mixture()
    results = score_gold(data.eval, build(cfg.prompts), build(cfg.reward))
    assert (results["gsm8k_correctness"]["below_maximum"], results["gsm8k_correctness"]["unscored"]) == (0, 2)
    assert (results["finqa_correctness"]["below_maximum"], results["finqa_correctness"]["unscored"]) == (0, 8)
    assert results["reasoning_gym_score"]["unscored"] == 10  # no reasoning-gym rows in this mixture
