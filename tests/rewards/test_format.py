"""Format rewards and length shaping."""

from __future__ import annotations

from typing import Any

import pytest

from rlvr.rewards.format import boxed_presence, format_compliance, integer_answer, tag_count, tag_format
from rlvr.rewards.length import overlong_penalty

GOOD_THINK = "<think>\nStep 1: 3 * 4 = 12.\nStep 2: done.\n</think>\n<answer>\n12\n</answer>"


@pytest.mark.parametrize(
    ("completion", "params", "expected"),
    [
        # Hash answer on the last line.
        ("3 * 4 = 12\n#### 12", {"answer_format": "hash"}, 0.5),
        # Hash answer followed by more text is not the asked-for ending.
        ("#### 12\nHope that helps!", {"answer_format": "hash"}, 0.0),
        # Trailing whitespace after the hash line is fine.
        ("#### 12\n\n", {"answer_format": "hash"}, 0.5),
        # A hash line without a number.
        ("#### twelve", {"answer_format": "hash"}, 0.0),
        # Boxed with a number.
        ("so \\boxed{12}", {"answer_format": "boxed"}, 0.5),
        # Answer tag with a number.
        ("<answer>12</answer>", {"answer_format": "answer_tag"}, 0.5),
        # "The answer is" with a number.
        ("The answer is 12.", {"answer_format": "answer_is"}, 0.5),
        # A yes/no answer is not a number...
        ("#### yes", {}, 0.0),
        # ...unless yes/no answers are allowed (FinQA).
        ("#### Yes.", {"allow_yes_no": True}, 0.5),
        # Allowing yes/no does not accept any word.
        ("#### maybe", {"allow_yes_no": True}, 0.0),
        # Nothing in the asked-for form.
        ("12", {"answer_format": "boxed"}, 0.0),
    ],
)
def test_format_compliance(completion: str, params: dict[str, Any], expected: float) -> None:
    assert format_compliance(completion, **params) == expected


@pytest.mark.parametrize(
    ("completion", "params", "expected"),
    [
        # The canonical strict layout with multi-line reasoning (Unsloth's regex misses this one).
        (GOOD_THINK, {"mode": "strict"}, 0.5),
        # Same layout, soft.
        (GOOD_THINK, {"mode": "soft"}, 0.5),
        # Strict tolerates surrounding whitespace.
        ("\n  " + GOOD_THINK + "\n", {"mode": "strict"}, 0.5),
        # Strict refuses text after the answer block.
        (GOOD_THINK + "\nBye!", {"mode": "strict"}, 0.0),
        # Soft accepts text around the blocks.
        ("Sure. " + GOOD_THINK + "\nBye!", {"mode": "soft"}, 0.5),
        # Strict does not insist on newlines: the R1 prompt's own inline example complies.
        ("<think> reasoning here </think> <answer> 42 </answer>", {"mode": "strict"}, 0.5),
        # Strict refuses text before the blocks.
        ("Sure! " + GOOD_THINK, {"mode": "strict"}, 0.0),
        # Soft accepts tags inline.
        ("<think>3*4=12</think><answer>12</answer>", {"mode": "soft"}, 0.5),
        # Soft accepts blank lines between the blocks.
        ("<think>a\nb</think>\n\n\n<answer>\n12\n</answer>", {"mode": "soft"}, 0.5),
        # Blocks in the wrong order.
        ("<answer>12</answer><think>why</think>", {"mode": "soft"}, 0.0),
        # Text between the blocks breaks the layout.
        ("<think>a</think> so: <answer>12</answer>", {"mode": "soft"}, 0.0),
        # An empty answer is no answer.
        ("<think>a</think><answer>  </answer>", {"mode": "soft"}, 0.0),
        # Empty reasoning fails strict.
        ("<think>\n \n</think>\n<answer>\n12\n</answer>", {"mode": "strict"}, 0.0),
        # A second think block fails strict (each tag exactly once).
        (GOOD_THINK.replace("Step 2", "<think>Step 2"), {"mode": "strict"}, 0.0),
        # Missing closing answer tag (a truncated completion).
        ("<think>a</think><answer>12", {"mode": "soft"}, 0.0),
        # The reasoning tag variant.
        (
            "<reasoning>\nx\ny\n</reasoning>\n<answer>\n3\n</answer>",
            {"tag": "reasoning", "mode": "strict"},
            0.5,
        ),
        # The think tag is not the reasoning tag.
        (GOOD_THINK, {"tag": "reasoning", "mode": "soft"}, 0.0),
        # Custom reward values.
        ("nothing", {"format_reward": 1.0, "missing_reward": -1.0}, -1.0),
    ],
)
def test_tag_format(completion: str, params: dict[str, Any], expected: float) -> None:
    assert tag_format(completion, **params) == expected


def test_tag_format_on_adversarial_input() -> None:
    # Thousands of unclosed tags score 0 (benchmarks/adversarial_parsing.py measures how fast).
    completion = "<think><answer>" * 2_000 + "x" * 20_000
    assert tag_format(completion, mode="soft") == 0.0
    assert tag_format(completion, mode="strict") == 0.0


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # All four tags once.
        (GOOD_THINK, 0.5),
        # Only the answer tags.
        ("<answer>1</answer>", 0.25),
        # A tag twice earns nothing for that tag.
        ("<think><think></think><answer>1</answer>", 0.375),
        # No tags.
        ("12", 0.0),
    ],
)
def test_tag_count(completion: str, expected: float) -> None:
    assert tag_count(completion) == expected


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # A box with content.
        ("thus \\boxed{\\frac{1}{2}}", 0.5),
        # An empty box.
        ("\\boxed{ }", 0.0),
        # An unclosed box.
        ("\\boxed{12", 0.0),
        # No box.
        ("12", 0.0),
    ],
)
def test_boxed_presence(completion: str, expected: float) -> None:
    assert boxed_presence(completion) == expected


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # An integer.
        ("#### 72", 0.5),
        # A whole number written with decimals.
        ("#### 72.0", 0.5),
        # A negative integer with thousands separators.
        ("#### -1,200", 0.5),
        # A decimal.
        ("#### 2.5", 0.0),
        # No number.
        ("#### many", 0.0),
    ],
)
def test_integer_answer(completion: str, expected: float) -> None:
    assert integer_answer(completion) == expected


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        # Well under the limit.
        (10, 0.0),
        # Exactly at the start of the buffer.
        (80, 0.0),
        # Half way through the buffer.
        (90, -0.5),
        # At the limit.
        (100, -1.0),
        # Past the limit (truncated).
        (150, -1.0),
        # Empty completion.
        (0, 0.0),
    ],
)
def test_overlong_penalty_in_tokens(length: int, expected: float) -> None:
    ids = list(range(length))
    assert overlong_penalty("ignored", completion_ids=ids, max_length=100, buffer=20) == pytest.approx(
        expected
    )


def test_overlong_penalty_counts_words_without_token_ids() -> None:
    # mode=score has no token ids: whitespace-separated words stand in for tokens.
    assert overlong_penalty("w " * 90, max_length=100, buffer=20, penalty=2.0) == pytest.approx(-1.0)


def test_overlong_penalty_refuses_a_zero_buffer() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        overlong_penalty("x", max_length=100, buffer=0)
