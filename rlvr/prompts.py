"""The prompt component: turns a question into what the model sees.

With ``use_chat_template: true`` (instruct models) a prompt is a list of chat messages that TRL and the
evaluator render with the tokenizer's chat template; otherwise it is one plain string for base models.
``answer_format`` names the extraction strategy (see :mod:`rlvr.answers`) that the prompt's
instructions ask for; rewards and evaluation default to it through ``${prompts.answer_format}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr.answers import STRATEGIES
from rlvr.config.errors import ConfigIssue

Prompt = list[dict[str, str]] | str


class PromptTemplate:
    """Builds prompts from a system prompt, a user template with ``{question}``, and few-shot examples."""

    def __init__(
        self,
        system_prompt: str | None = None,
        user_template: str = "{question}",
        answer_format: str = "hash",
        few_shot: Sequence[dict[str, str]] = (),
        use_chat_template: bool = True,
    ):
        self.system_prompt = system_prompt
        self.user_template = user_template
        self.answer_format = answer_format
        self.few_shot = [dict(example) for example in few_shot]
        self.use_chat_template = use_chat_template

    def build(self, question: str) -> Prompt:
        """The prompt for one question: chat messages, or a plain string for base models."""
        if self.use_chat_template:
            messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
            for example in self.few_shot:
                messages.append(
                    {"role": "user", "content": self.user_template.format(question=example["question"])}
                )
                messages.append({"role": "assistant", "content": example["answer"]})
            messages.append({"role": "user", "content": self.user_template.format(question=question)})
            return messages
        parts = [self.system_prompt] if self.system_prompt else []
        for example in self.few_shot:
            parts.append(f"{self.user_template.format(question=example['question'])}\n{example['answer']}")
        parts.append(self.user_template.format(question=question))
        return "\n\n".join(parts) + "\n"

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = []
        template = kwargs.get("user_template", "{question}")
        if "{question}" not in str(template):
            issues.append(
                ConfigIssue(
                    f"{prefix}.user_template",
                    template,
                    "must contain the {question} placeholder",
                    "write the template around {question}",
                )
            )
        fmt = kwargs.get("answer_format", "hash")
        if fmt not in STRATEGIES:
            issues.append(
                ConfigIssue(
                    f"{prefix}.answer_format",
                    fmt,
                    "unknown answer format",
                    f"use one of {', '.join(sorted(STRATEGIES))}",
                )
            )
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
