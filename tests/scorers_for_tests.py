"""Reward scorers used only by tests: they vary on random text, so GRPO advantages are non-zero."""


def digit_share(completion: str) -> float:
    """Fraction of characters that are digits (a random tiny model produces some, unevenly)."""
    return sum(ch.isdigit() for ch in completion) / max(1, len(completion))
