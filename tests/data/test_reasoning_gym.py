"""reasoning-gym tasks are generated offline, deterministically, and scored by the library's verifier."""

from __future__ import annotations

import builtins
import importlib.util
import json

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.data.reasoning_gym import ReasoningGymData
from rlvr.errors import ConfigError
from rlvr.prompts import PromptTemplate
from tests.conftest import compose_config

# The optional `reasoning` extra; without it these tests skip (the missing-library test below still runs).
needs_reasoning_gym = pytest.mark.skipif(
    importlib.util.find_spec("reasoning_gym") is None,
    reason="needs the optional reasoning-gym extra: pip install -e '.[reasoning]'",
)
PROMPT = PromptTemplate(answer_format="hash")


@needs_reasoning_gym
def test_generation_is_seeded_and_splits_do_not_overlap() -> None:
    first = ReasoningGymData(task="chain_sum", size=8, eval_size=4, seed=3).load(PROMPT)
    again = ReasoningGymData(task="chain_sum", size=8, eval_size=4, seed=3).load(PROMPT)
    assert first.train["question"] == again.train["question"]
    assert (len(first.train), len(first.eval)) == (8, 4)
    assert not set(first.train["question"]) & set(first.eval["question"])
    entry = json.loads(first.train[0]["rg_entry"])
    assert entry["answer"] == first.train[0]["answer"] and entry["metadata"]["source_dataset"] == "chain_sum"


@needs_reasoning_gym
def test_reward_uses_the_library_scorer() -> None:
    from rlvr.rewards.reasoning_gym import reasoning_gym_score

    row = ReasoningGymData(task="countdown", size=1, eval_size=0, seed=1).load(PROMPT).train[0]
    assert reasoning_gym_score(f"#### {row['answer']}", row["rg_entry"]) == 2.0
    assert reasoning_gym_score("#### 1 + 1", row["rg_entry"]) < 2.0
    assert reasoning_gym_score("no answer here", row["rg_entry"]) == 0.0


@needs_reasoning_gym
def test_an_answer_ending_its_sentence_scores_in_full() -> None:
    """reasoning-gym compares strings: "2." would earn half of "2"'s reward, although the answer_is
    prompt format itself ends the answer with a period."""
    from rlvr.rewards.reasoning_gym import reasoning_gym_score

    row = ReasoningGymData(task="basic_arithmetic", size=1, eval_size=0, seed=1).load(PROMPT).train[0]
    answer = row["answer"]
    assert reasoning_gym_score(f"So the final answer is {answer}.", row["rg_entry"]) == 2.0
    assert reasoning_gym_score(f"#### {answer}.", row["rg_entry"]) == 2.0
    assert reasoning_gym_score(f"#### {answer}1.", row["rg_entry"]) < 2.0
    assert reasoning_gym_score("#### .", row["rg_entry"]) < 2.0


@needs_reasoning_gym
def test_unknown_task_lists_known_tasks() -> None:
    with pytest.raises(
        ConfigError,
        match=r"data.task='countdwn': not a reasoning-gym task \(known tasks: .*countdown.*\)\. "
        r"Fix: did you mean data.task=countdown\?",
    ):
        ReasoningGymData(task="countdwn", size=1).load(PROMPT)


def test_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_reasoning_gym(name: str, *args, **kwargs):
        if name == "reasoning_gym":
            raise ImportError("No module named 'reasoning_gym'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_reasoning_gym)
    with pytest.raises(ImportError, match=r"needs the reasoning-gym package: pip install reasoning-gym"):
        ReasoningGymData(task="countdown", size=1).load(PROMPT)
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "reasoning_gym" else real_find_spec(name, *a),
    )
    with pytest.raises(ConfigValidationError, match="reasoning-gym package is not installed"):
        validate_config(compose_config(["data_component=reasoning_gym"]))
