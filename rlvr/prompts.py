"""The prompt component: turns a question into what the model sees.

With ``use_chat_template: true`` (instruct models) a prompt is a list of chat messages that TRL and the
evaluator render with the tokenizer's chat template; otherwise it is one plain string for base models.
``answer_format`` names the extraction strategy (see :mod:`rlvr.answers`) that the prompt's
instructions ask for; rewards and evaluation default to it through ``${prompts.answer_format}``.
``completion_template`` is what a perfect answer looks like under these instructions (null: the answer
format's own, :data:`rlvr.answers.COMPLETION_TEMPLATES`); ``mode=check`` formats every gold answer with
it and scores it with the configured rewards.

This module is also the one place a built prompt is rendered to the text the model sees
(:func:`render_prompt`, :func:`prompt_token_length`): data, evaluation and check mode all use it, so a
prompt is counted, truncated and generated from exactly as TRL will see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr.answers import COMPLETION_TEMPLATES, Strategy
from rlvr.config.errors import ConfigIssue

BuiltPrompt = list[dict[str, str]] | str  # chat messages, or one string for base models


def render_prompt(prompt: BuiltPrompt, tokenizer: Any) -> str:
    """Text the model is conditioned on: chat messages through the chat template, plain strings as is."""
    if isinstance(prompt, str):
        return prompt
    return tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=False)


def prompt_token_length(prompt: BuiltPrompt, tokenizer: Any) -> int:
    """Tokens the model sees for ``prompt`` (chat template applied, generation prompt included)."""
    if isinstance(prompt, str):
        return len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    ids = tokenizer.apply_chat_template(list(prompt), add_generation_prompt=True, tokenize=True)
    if isinstance(ids, dict) or hasattr(ids, "keys"):
        ids = ids["input_ids"]
    return len(ids)


class PromptTemplate:
    """Builds prompts from a system prompt, a user template with ``{question}``, and few-shot examples."""

    def __init__(
        self,
        system_prompt: str | None = None,
        user_template: str = "{question}",
        answer_format: Strategy = "hash",
        few_shot: Sequence[dict[str, str]] = (),
        use_chat_template: bool = True,
        completion_template: str | None = None,
    ):
        self.system_prompt = system_prompt
        self.user_template = user_template
        self.answer_format = answer_format
        self.few_shot = [dict(example) for example in few_shot]
        self.use_chat_template = use_chat_template
        self.completion_template = completion_template or COMPLETION_TEMPLATES.get(
            answer_format, "{reasoning}\n{answer}"
        )

    def build(
        self,
        question: str,
        system_prompt: str | None = None,
        few_shot: Sequence[dict[str, str]] | None = None,
    ) -> BuiltPrompt:
        """The prompt for one question — chat messages, or a plain string for base models. ``system_prompt``
        and ``few_shot`` replace the configured ones for this row (datasets may carry their own)."""
        system_prompt = system_prompt or self.system_prompt
        few_shot = self.few_shot if few_shot is None else list(few_shot)
        if self.use_chat_template:
            messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
            for example in few_shot:
                messages.append(
                    {"role": "user", "content": self.user_template.format(question=example["question"])}
                )
                messages.append({"role": "assistant", "content": example["answer"]})
            messages.append({"role": "user", "content": self.user_template.format(question=question)})
            return messages
        parts = [system_prompt] if system_prompt else []
        for example in few_shot:
            parts.append(f"{self.user_template.format(question=example['question'])}\n{example['answer']}")
        parts.append(self.user_template.format(question=question))
        return "\n\n".join(parts) + "\n"

    def format_answer(self, answer: str, reasoning: str = "") -> str:
        """A completion that states ``answer`` exactly as these instructions ask (used by mode=check)."""
        return self.completion_template.format(answer=answer, reasoning=reasoning).strip()

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The templates hold their placeholders; each few-shot example has a question and an answer
        (``answer_format`` and the types are checked from the signature)."""
        issues = [
            ConfigIssue(
                f"{prefix}.{key}", kwargs[key], f"must contain {slot}", f"write the template around {slot}"
            )
            for key, slot in (("user_template", "{question}"), ("completion_template", "{answer}"))
            if kwargs.get(key) is not None and slot not in str(kwargs[key])
        ]
        for n, example in enumerate(kwargs.get("few_shot") or []):
            if not isinstance(example, dict) or not {"question", "answer"} <= example.keys():
                issues.append(
                    ConfigIssue(
                        f"{prefix}.few_shot[{n}]",
                        example,
                        "a few-shot example needs `question` and `answer`",
                        "write {question: ..., answer: ...}",
                    )
                )
        return issues
