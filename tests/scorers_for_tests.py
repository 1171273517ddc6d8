"""Reward scorers used only by tests: they vary on random text, so GRPO advantages are non-zero."""


def digit_share(completion: str) -> float:
    """Fraction of characters that are digits (a random tiny model produces some, unevenly)."""
    return sum(ch.isdigit() for ch in completion) / max(1, len(completion))


def flat_on_odd_answers(completion: str, answer: str) -> float:
    """1.0 for every completion of an odd-numbered question (a group without spread), else
    :func:`digit_share`: dynamic sampling must drop the odd questions' groups."""
    return 1.0 if int(answer) % 2 else digit_share(completion)


def constant(completion: str) -> float:
    """The same reward for everything: no group ever carries a learning signal."""
    return 0.5
