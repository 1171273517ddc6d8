"""Correctness rewards: numeric (GSM8K) and symbolic (math-verify), and every real gold scoring maximum."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from rlvr.data.gsm8k import gsm8k_gold
from rlvr.rewards.correctness import numeric_correctness, symbolic_correctness
from rlvr.rewards.finqa import finqa_correctness
from rlvr.rewards.format import format_compliance
from rlvr.rewards.judge import correctness_maximum
from tests.conftest import GSM8K_DIR, ROOT

BUILTIN = ROOT / "rlvr" / "data" / "builtin"
HASH_FIRST = ["hash", "last_number"]


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    [
        # Correct hash answer.
        ("3 * 24 = 72\n#### 72", "72", 2.0),
        # Wrong hash answer.
        ("3 * 24 = 71\n#### 71", "72", 0.0),
        # Trailing period (verl marks this wrong).
        ("#### 72.", "72", 2.0),
        # Trailing zeros.
        ("#### 72.00", "72", 2.0),
        # Currency and thousands separator against a bare gold.
        ("#### $1,234", "1234", 2.0),
        # Units after the number.
        ("#### 18 apples", "18", 2.0),
        # Unicode minus.
        ("#### \u22123", "-3", 2.0),
        # Sign matters.
        ("#### 3", "-3", 0.0),
        # The final hash wins over a number stated earlier in the reasoning.
        ("The answer is 72, or is it?\n#### 70", "72", 0.0),
        # Hedging between two answers earns nothing.
        ("#### 72 or 73", "72", 0.0),
        # Two hash lines in a row list two answers: a hedge, whichever is right (issue 23).
        ("#### 72\n#### 73", "73", 0.0),
        # A hash line corrected after more reasoning: the last one counts.
        ("#### 72\nNo: 3 * 24 is 72, plus 1.\n#### 73", "73", 2.0),
        # No hash line: the last number is the fallback.
        ("so she has 72 left", "72", 2.0),
        # A hash line with words only is the answer and is wrong; the fallback does not rescue it.
        ("I think 72.\n#### seventy-two", "72", 0.0),
        # Empty completion.
        ("", "72", 0.0),
        # A gold loaded from JSON as a number.
        ("#### 72", 72, 2.0),
        # A huge completion: fast, and the final line decides.
        ("9 " * 50_000 + "\n#### 72", "72", 2.0),
        # Fractions against a decimal gold.
        ("#### 5/2", "2.5", 2.0),
    ],
)
def test_numeric_correctness(completion: str, gold: str, expected: float) -> None:
    assert numeric_correctness(completion, gold, strategies=HASH_FIRST) == expected


def test_numeric_correctness_params_set_the_values() -> None:
    # correct_reward / incorrect_reward are YAML keys (README: reward.reward_functions[0].params.correct_reward).
    assert numeric_correctness("#### 1", "1", correct_reward=5.0) == 5.0
    assert numeric_correctness("#### 2", "1", incorrect_reward=-1.0) == -1.0


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    [
        # Equivalent radicals, only math-verify sees it.
        ("\\boxed{\\frac{1}{\\sqrt{2}}}", "\\frac{\\sqrt{2}}{2}", 2.0),
        # Commuted expression.
        ("\\boxed{1+x}", "x+1", 2.0),
        # Different expressions.
        ("\\boxed{x+2}", "x+1", 0.0),
        # Fraction against a decimal: the numeric fast path.
        ("\\boxed{\\frac{1}{2}}", "0.5", 2.0),
        # Plain numbers with units: the numeric fast path.
        ("\\boxed{72 \\text{ dollars}}", "72", 2.0),
        # A radical is not its radicand (a plain-number reading would say 2).
        ("\\boxed{2}", "\\sqrt{2}", 0.0),
        # No answer at all.
        ("no idea", "\\sqrt{2}", 0.0),
    ],
)
def test_symbolic_correctness(completion: str, gold: str, expected: float) -> None:
    assert symbolic_correctness(completion, gold, strategies=["boxed"]) == expected


def test_symbolic_correctness_works_off_the_main_thread() -> None:
    # math-verify's signal timeout fails off the main thread; ours must still verify there (TRL may score anywhere).
    results: list[float] = []
    worker = threading.Thread(
        target=lambda: results.append(
            symbolic_correctness(
                "\\boxed{\\frac{1}{\\sqrt{2}}}", "\\frac{\\sqrt{2}}{2}", strategies=["boxed"]
            )
        )
    )
    worker.start()
    worker.join(30)
    assert results == [2.0]


def _solutions(path: Path) -> list[str]:
    return [
        json.loads(line)["answer"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _assert_maximum_for_every_gold(solutions: list[str]) -> None:
    for solution in solutions:
        gold = gsm8k_gold(solution)
        # As the check mode formats it, and as the full worked solution.
        assert numeric_correctness(f"#### {gold}", gold) == 2.0, solution
        assert numeric_correctness(solution, gold) == 2.0, solution


@pytest.mark.parametrize("name", ["smoke_math_train.jsonl", "smoke_math_test.jsonl"])
def test_bundled_gold_answers_get_maximum_correctness(name: str) -> None:
    solutions = _solutions(BUILTIN / name)
    assert len(solutions) >= 8
    _assert_maximum_for_every_gold(solutions)


@pytest.mark.skipif(
    not (GSM8K_DIR / "test.jsonl").is_file(),
    reason="real GSM8K files not present (set RLVR_GSM8K_DIR or place them in ../shared/data/gsm8k); the bundled "
    "golds are tested",
)
def test_every_real_gsm8k_test_gold_gets_maximum_correctness() -> None:
    solutions = _solutions(GSM8K_DIR / "test.jsonl")
    assert len(solutions) == 1319
    _assert_maximum_for_every_gold(solutions)


@pytest.mark.parametrize(
    ("scorer", "params", "maximum"),
    [
        # mode=check reads the best score from correct_reward: the default...
        (numeric_correctness, {}, 2.0),
        # ...or the configured value.
        (symbolic_correctness, {"correct_reward": 5.0}, 5.0),
        # FinQA's verifier is a correctness reward too.
        (finqa_correctness, {}, 2.0),
        # A format reward is not.
        (format_compliance, {}, None),
    ],
)
def test_correctness_rewards_declare_their_maximum(
    scorer: Any, params: dict[str, Any], maximum: float | None
) -> None:
    assert correctness_maximum(scorer, params) == maximum
