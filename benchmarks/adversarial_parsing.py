"""Seconds the answer parsers take on adversarial completions (speed is measured here, not in the tests).

    python benchmarks/adversarial_parsing.py [--repeat N]

Prints one JSON line per case: the best of ``N`` runs of ``extract_answer`` + ``parse_number`` (and of
``tag_format`` in both modes for the tag case). Target: well under 1 s per case on 2 CPU cores; a
regex that backtracks quadratically takes minutes here. tests/test_answers.py and
tests/rewards/test_format.py check what these inputs return, never how long they take.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

from rlvr.answers import extract_answer, parse_number
from rlvr.rewards.format import tag_format

CASES: dict[str, str] = {
    "unclosed answer tags": "<answer>" * 5_000 + "x" * 50_000,
    "nested LaTeX wrappers": "\\text{" * 3_000 + "1" + "}" * 3_000,
    "hash marks": "#### " * 10_000,
    "a megabyte of digits and commas": "1," * 500_000,
    "unclosed boxes": "\\boxed{" * 5_000,
    "unclosed think and answer tags": "<think><answer>" * 2_000 + "x" * 20_000,
}


def parsers(text: str) -> None:
    extract_answer(text)
    parse_number(text)


def tags(text: str) -> None:
    tag_format(text, mode="soft")
    tag_format(text, mode="strict")


def best_seconds(function: Callable[[str], None], text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for name, text in CASES.items():
        function = tags if "think" in name else parsers
        figure = {
            "case": name,
            "chars": len(text),
            "seconds": round(best_seconds(function, text, args.repeat), 4),
        }
        print(json.dumps(figure))


if __name__ == "__main__":
    main()
