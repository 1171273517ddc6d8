"""The prompt component and the one place prompts are rendered to text and counted.

What the model sees must be the same everywhere (TRL's training, the evaluator, ``mode=check``, the
data's token limits), and a gold answer written as the prompt asks must be read back by the answer
parser — otherwise training chases a target its own rewards cannot see.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest

from rlvr.answers import COMPLETION_TEMPLATES, STRATEGIES, Strategy, extract_answer, parse_number
from rlvr.config import build
from rlvr.config.validate import value_issues
from rlvr.prompts import PromptTemplate, prompt_token_length, render_prompt
from tests.conftest import CONF_DIR, compose_config

EXAMPLE = {"question": "1+1?", "answer": "#### 2"}


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir: Path) -> Any:
    """The tiny model's character-level tokenizer: one token per character, so lengths are exact."""
    from rlvr.models.hf import HFModel

    return HFModel(str(tiny_model_dir)).load_tokenizer()


def test_chat_prompt_is_system_then_few_shot_pairs_then_the_question() -> None:
    prompt = PromptTemplate(system_prompt="Be brief.", user_template="Q: {question}", few_shot=[EXAMPLE])
    assert prompt.build("2+2?") == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Q: 1+1?"},
        {"role": "assistant", "content": "#### 2"},
        {"role": "user", "content": "Q: 2+2?"},
    ]


def test_chat_prompt_without_system_prompt_or_examples_is_one_message() -> None:
    assert PromptTemplate().build("2+2?") == [{"role": "user", "content": "2+2?"}]


def test_plain_prompt_for_base_models_joins_blocks_with_blank_lines() -> None:
    prompt = PromptTemplate(
        system_prompt="Solve it.",
        user_template="Q: {question}\nA:",
        use_chat_template=False,
        few_shot=[EXAMPLE],
    )
    assert prompt.build("2+2?") == "Solve it.\n\nQ: 1+1?\nA:\n#### 2\n\nQ: 2+2?\nA:\n"
    assert PromptTemplate(use_chat_template=False).build("2+2?") == "2+2?\n"


def test_a_row_may_bring_its_own_system_prompt_and_examples() -> None:
    """Generic data's system_prompt_field / few_shot_field replace the configured ones per row."""
    prompt = PromptTemplate(system_prompt="Default.", few_shot=[EXAMPLE])
    messages = prompt.build("3+3?", system_prompt="Row's own.", few_shot=[])
    assert messages == [{"role": "system", "content": "Row's own."}, {"role": "user", "content": "3+3?"}]
    assert prompt.build("3+3?")[0]["content"] == "Default."  # the configured ones are untouched


@pytest.mark.parametrize("answer_format", sorted(COMPLETION_TEMPLATES))
def test_format_answer_is_read_back_by_its_own_strategy(answer_format: str) -> None:
    """The contract mode=check relies on: a gold answer written as asked is extracted as that answer."""
    completion = PromptTemplate(answer_format=answer_format).format_answer(
        "1250", reasoning="5 * 250 = 1250."
    )
    assert completion.startswith("5 * 250 = 1250.")
    assert parse_number(extract_answer(completion, [answer_format])) == 1250


def test_format_answer_shapes() -> None:
    assert PromptTemplate().format_answer("7") == "#### 7"  # no reasoning: no leading blank line
    assert PromptTemplate(answer_format="boxed").format_answer("7") == "The answer is \\boxed{7}."
    custom = PromptTemplate(completion_template="<think>{reasoning}</think> <answer>{answer}</answer>")
    assert custom.format_answer("7", reasoning="3+4") == "<think>3+4</think> <answer>7</answer>"


def test_every_strategy_has_a_completion_template() -> None:
    assert set(COMPLETION_TEMPLATES) == set(STRATEGIES) == set(typing.get_args(Strategy))


@pytest.mark.parametrize("option", sorted(p.stem for p in (CONF_DIR / "prompts").glob("*.yaml")))
def test_every_prompt_option_writes_answers_its_rewards_read(option: str) -> None:
    """Each conf/prompts option with the default reward set: the correctness reward gives a gold answer,
    written as that prompt asks, its maximum — what mode=check demands before training."""
    cfg = compose_config([f"prompts={option}"])
    prompt, judge = build(cfg.prompts), build(cfg.reward).judge()
    assert judge is not None
    assert judge.is_correct(
        prompt.format_answer("42", reasoning="6 * 7 = 42."), {"prompt": "q", "answer": "42"}
    )


def test_render_prompt_applies_the_chat_template(tokenizer: Any) -> None:
    messages = PromptTemplate(system_prompt="Be brief.").build("2+2?")
    assert render_prompt(messages, tokenizer) == "system: Be brief.\nuser: 2+2?\nassistant: "
    assert render_prompt("plain text\n", tokenizer) == "plain text\n"  # base-model prompts pass through


def test_prompt_token_length_counts_what_the_model_sees(tokenizer: Any) -> None:
    """Character-level tokenizer: the count equals the rendered text's length, generation prompt included."""
    messages = PromptTemplate(system_prompt="Be brief.").build("2+2?")
    assert prompt_token_length(messages, tokenizer) == len("system: Be brief.\nuser: 2+2?\nassistant: ")
    assert prompt_token_length("2+2?\n", tokenizer) == 5  # no BOS added to plain prompts


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"user_template": "Solve this."}, "prompts.user_template"),  # the question would be dropped
        ({"answer_format": "xml"}, "prompts.answer_format"),
        ({"completion_template": "{reasoning}"}, "prompts.completion_template"),  # no {answer}
        ({"few_shot": [{"question": "1+1?"}]}, "prompts.few_shot[0]"),  # an example without its answer
    ],
)
def test_config_issues(kwargs: dict[str, Any], key: str) -> None:
    assert [issue.key for issue in value_issues("prompts", PromptTemplate, kwargs)] == [key]
