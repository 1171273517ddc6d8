"""Format rewards: does the completion state its answer the way the prompt asked?

* :func:`format_compliance` — the prompt's answer format (``#### N`` last line, ``\\boxed``, tag, "answer is");
* :func:`tag_format` — ``<think>…</think><answer>…</answer>`` (or ``<reasoning>``), strict or soft;
* :func:`tag_count` — partial credit per tag used exactly once (a denser signal early in training);
* :func:`boxed_presence` — a non-empty ``\\boxed{…}``;
* :func:`integer_answer` — the extracted answer is a whole number (GSM8K answers all are).

``format_compliance``, ``tag_format`` and ``boxed_presence`` declare their role with ``@format_reward("<the parameter holding their best score>")``
(:mod:`rlvr.rewards.judge`): evaluation's format rate is the first such reward of the set at its maximum.

Every pattern runs with ``re.DOTALL`` where content may span lines: reasoning is rarely one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from rlvr.answers import DEFAULT_STRATEGIES, STRATEGIES, YES_NO_WORDS, Strategy, extract_answer, parse_number
from rlvr.rewards.judge import format_reward

# A completion complies when the asked-for form holds a number; for `hash` it must also be the last line,
# since GSM8K-style prompts ask for the answer to end the response.
_HASH_LAST_LINE = re.compile(r"####[ \t]*[^\n]*\s*$")
_YES_NO = re.compile(rf"\W*(?:{'|'.join(YES_NO_WORDS)})\b", re.I)

ReasoningTag = Literal["think", "reasoning"]


@format_reward("format_reward")
def format_compliance(
    completion: str,
    answer_format: Strategy = "hash",
    format_reward: float = 0.5,
    missing_reward: float = 0.0,
    allow_yes_no: bool = False,
) -> float:
    """``format_reward`` when the answer appears in ``answer_format`` with a parseable number
    (``hash``: a final ``#### N`` line; ``boxed``, ``answer_tag``, ``answer_is``); else ``missing_reward``.
    ``allow_yes_no`` also accepts a yes/no (true/false) answer in that form, as FinQA asks for some."""
    if answer_format not in STRATEGIES:
        raise ValueError(f"unknown answer_format {answer_format!r}; use one of {sorted(STRATEGIES)}")
    if answer_format == "hash" and not _HASH_LAST_LINE.search(completion.strip()):
        return missing_reward
    found = STRATEGIES[answer_format](completion)
    if allow_yes_no and found and _YES_NO.match(found):
        return format_reward
    return format_reward if parse_number(found) is not None else missing_reward


# The whole completion is the two blocks. Run only once each tag is known to appear exactly once, which
# keeps the lazy groups linear.
_STRICT = {
    tag: re.compile(rf"\s*<{tag}>(?P<reasoning>.*?)</{tag}>\s*<answer>(?P<answer>.*?)</answer>\s*", re.S)
    for tag in ("think", "reasoning")
}
_ANSWER_OPENS = re.compile(r"\s*<answer>")
_NON_BLANK = re.compile(r"\S")


def _soft_layout(text: str, tag: str) -> bool:
    """A ``<tag>`` … ``</tag>``, whitespace, ``<answer>`` non-blank ``</answer>`` anywhere in ``text``.

    Written with ``str.find`` rather than one regex: a lazy regex goes cubic on inputs like
    ``"<think>" * 2000 + "</think><answer>" * 2000``, and completions are adversarial by nature."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    first_open = text.find(opening)
    if first_open < 0:
        return False
    close = text.find(closing, first_open + len(opening))
    while close >= 0:
        answer = _ANSWER_OPENS.match(text, close + len(closing))
        if answer:
            end = text.find("</answer>", answer.end())
            if end < 0:  # no later answer block can close either
                return False
            if _NON_BLANK.search(text, answer.end(), end):
                return True
        close = text.find(closing, close + len(closing))
    return False


@format_reward("format_reward")
def tag_format(
    completion: str,
    tag: ReasoningTag = "think",
    mode: Literal["strict", "soft"] = "soft",
    format_reward: float = 0.5,
    missing_reward: float = 0.0,
) -> float:
    """``format_reward`` when ``completion`` has the ``<tag>…</tag>`` then ``<answer>…</answer>`` layout.

    ``strict``: the whole completion is the two blocks and nothing else (whitespace aside), each tag
    exactly once, both contents non-blank; newlines are free, so the R1 prompt's own inline example
    ``<think> … </think> <answer> 42 </answer>`` complies. ``soft``: the two blocks appear in that order,
    separated by whitespace only, with text allowed around them and only the answer required non-blank.
    Content may span any number of lines in both modes."""
    if tag not in _STRICT or mode not in ("strict", "soft"):
        raise ValueError(f"tag={tag!r}, mode={mode!r}: use tag think|reasoning and mode strict|soft")
    if mode == "soft":
        return format_reward if _soft_layout(completion, tag) else missing_reward
    tags = (f"<{tag}>", f"</{tag}>", "<answer>", "</answer>")
    found = _STRICT[tag].fullmatch(completion) if all(completion.count(t) == 1 for t in tags) else None
    ok = found is not None and found["reasoning"].strip() != "" and found["answer"].strip() != ""
    return format_reward if ok else missing_reward


def tag_count(completion: str, tag: ReasoningTag = "think", reward_per_tag: float = 0.125) -> float:
    """``reward_per_tag`` for each of ``<tag>``, ``</tag>``, ``<answer>``, ``</answer>`` used exactly once."""
    tags = (f"<{tag}>", f"</{tag}>", "<answer>", "</answer>")
    return reward_per_tag * sum(completion.count(t) == 1 for t in tags)


@format_reward("present_reward")
def boxed_presence(completion: str, present_reward: float = 0.5, missing_reward: float = 0.0) -> float:
    """``present_reward`` when the completion has a ``\\boxed{…}`` with non-blank, balanced content."""
    found = STRATEGIES["boxed"](completion)
    return present_reward if found and found.strip() else missing_reward


def integer_answer(
    completion: str,
    strategies: Sequence[Strategy] = DEFAULT_STRATEGIES,
    integer_reward: float = 0.5,
    other_reward: float = 0.0,
) -> float:
    """``integer_reward`` when the answer extracted by ``strategies`` is a whole number ("72", "72.0",
    "-3", "1,200"); ``other_reward`` for fractions, decimals, text or no answer."""
    value = parse_number(extract_answer(completion, strategies))
    return integer_reward if value is not None and value.is_integer() else other_reward
