"""Same inputs, same rewards: independent of call order, batch split and thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rlvr.rewards import RewardSet

ENTRIES = [
    {"_target_": "rlvr.rewards.correctness.numeric_correctness"},
    {
        "_target_": "rlvr.rewards.correctness.symbolic_correctness",
        "params": {"strategies": ["boxed", "hash"]},
    },
    {"_target_": "rlvr.rewards.finqa.finqa_correctness"},
    {"_target_": "rlvr.rewards.format.format_compliance"},
    {"_target_": "rlvr.rewards.format.tag_format", "params": {"mode": "strict"}},
    {"_target_": "rlvr.rewards.format.integer_answer"},
    {"_target_": "rlvr.rewards.length.overlong_penalty", "params": {"max_length": 12, "buffer": 8}},
    {"_target_": "tests.rewards.scorers.raise_every_third"},
]
CASES = [
    ("#### 72", "72"),
    ("#### 72.", "72"),
    ("\\boxed{\\frac{1}{2}}", "0.5"),
    ("#### 5 or 6", "6"),
    ("<think>\nsum\n</think>\n<answer>\n9\n</answer>", "9"),
    ("The answer is 14.3%.", "15"),
    ("\\boxed{\\sqrt{2}}", "2"),
    ("", "3"),
    ("word " * 30 + "#### 4", "4"),
    ("#### \u221212", "-12"),
] * 4


def _score(rewards: RewardSet, cases: list[tuple[str, str]]) -> list[list[float | None]]:
    completions, answers = [c for c, _ in cases], [a for _, a in cases]
    columns = [fn(None, completions, answer=answers) for fn in rewards.functions]
    return [list(row) for row in zip(*columns, strict=True)]


def test_rewards_do_not_depend_on_order_batching_or_thread() -> None:
    rewards = RewardSet(ENTRIES)
    reference = _score(rewards, CASES)
    # Reversed order, one sample per call, eight threads at once.
    with ThreadPoolExecutor(max_workers=8) as pool:
        singles = list(pool.map(lambda case: _score(rewards, [case])[0], list(reversed(CASES))))
    assert list(reversed(singles)) == reference
    # A fresh set, scored again on the main thread: nothing carried over between calls.
    assert _score(RewardSet(ENTRIES), CASES) == reference
    # Errors come from the data (answers that are multiples of 3 or not integers), not from timing: 2 passes.
    failing = sum(not a.lstrip("-").isdigit() or int(a) % 3 == 0 for _, a in CASES)
    assert failing and rewards.error_counts["raise_every_third"] == 2 * failing
