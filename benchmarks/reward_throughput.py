"""Reward throughput: completions scored per second by each reward preset, through ``mode=score``'s path.

    python benchmarks/reward_throughput.py                      # 10,000 completions per preset
    python benchmarks/reward_throughput.py --n 2000 --presets gsm8k,finqa
    python benchmarks/reward_throughput.py --root /tmp/base     # the rlvr/ and conf/ of another checkout

Each preset is composed from ``conf/`` with the prompt it is meant for (``reward_component=<preset>
prompts=<prompt>``), built with :func:`rlvr.config.build.build` and applied with
:func:`rlvr.modes.score.score_records` in chunks of 64 records, exactly as ``mode=score`` does (reading
and writing JSONL aside). The completions are synthetic but shaped like model output: a few lines of
worked arithmetic or LaTeX, then a final answer written the way models write it (the requested format,
"The answer is …", an unrequested ``\\boxed{}``, a bare last number, a hedge, a wrong answer), from a
fixed seed, so two checkouts see the same inputs. One line per preset goes to stdout: completions per
second of wall time and per CPU-second of this process (steadier on a shared machine), the mean
reward and the seconds taken; ``--json`` prints a JSON object per preset instead. The figures are for
comparing two checkouts on one machine, not absolute targets.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Each preset and the prompt (answer format) it is used with.
PRESETS = {
    "gsm8k": "math_reasoning",
    "finqa": "finqa_reasoning",
    "math_symbolic": "boxed",
    "think_format": "think_answer",
    "reasoning_gym": "think_answer",
}
_CHUNK = 64  # as rlvr/modes/score.py


def _reasoning(rng: random.Random) -> tuple[str, int]:
    """A few lines of worked arithmetic and the value they end on."""
    value = rng.randint(2, 60)
    lines = [f"Natalia starts with {value} clips."]
    for _ in range(rng.randint(2, 6)):
        operand = rng.randint(2, 12)
        op, new = rng.choice([("+", value + operand), ("*", value * operand), ("-", value - operand)])
        lines.append(f"Then {value} {op} {operand} = {new} clips, since {operand} more steps were taken.")
        value = new
    return "\n".join(lines), value


def _gsm8k_case(rng: random.Random, answer_tag: bool = False) -> tuple[str, str]:
    text, gold = _reasoning(rng)
    wrong = gold + rng.choice([-3, -1, 1, 2, 10])
    endings = [
        (40, f"#### {gold}" if not answer_tag else f"<answer>{gold}</answer>"),
        (10, f"#### {wrong}" if not answer_tag else f"<answer>{wrong}</answer>"),
        (12, f"The answer is {gold}."),
        (8, f"So the total is $\\boxed{{{gold}}}$. This took {rng.randint(5, 50)} minutes."),
        (12, f"So she has {gold} clips left."),
        (5, f"It is either {gold} or {wrong}."),
        (5, f"The result is $\\frac{{{gold * 2}}}{{2}}$."),
        (4, f"Final answer: ${gold:,}$".replace(",", "{,}")),
        (4, "I am not sure how to finish this."),
    ]
    ending = rng.choices([e for _, e in endings], weights=[w for w, _ in endings])[0]
    if answer_tag:
        return f"<think>\n{text}\n</think>\n{ending}", str(gold)
    return f"{text}\n{ending}", str(gold)


def _finqa_case(rng: random.Random) -> tuple[str, str]:
    before = round(rng.uniform(100, 5000), 1)
    after = round(before * rng.uniform(0.7, 1.4), 1)
    change = (after - before) / before * 100
    gold = rng.choice([f"{change:.1f}%", f"{change / 100:.5f}"])
    text = (
        f"Revenue was ${before:,} million in 2018 and ${after:,} million in 2019.\n"
        f"The change is ({after:,} - {before:,}) / {before:,} = {change / 100:.4f}."
    )
    endings = [
        (45, f"#### {change:.1f}%"),
        (10, f"#### {change + rng.choice([-2, 3]):.1f}%"),
        (15, f"The answer is {change / 100:.4f}."),
        (10, f"\\boxed{{{change:.2f}\\%}}"),
        (10, f"So the change was {change:.1f} percent."),
        (5, f"#### 2019: {change:.1f}%, 2018: 0.0%"),
        (5, "It went up."),
    ]
    ending = rng.choices([e for _, e in endings], weights=[w for w, _ in endings])[0]
    return f"{text}\n{ending}", gold


_SYMBOLIC = [
    ("\\frac{3}{4}", "\\frac{1}{4}"),
    ("2\\sqrt{3}", "3\\sqrt{2}"),
    ("(1, \\infty)", "[1, \\infty)"),
    ("12", "13"),
    ("x^2 + 1", "x^2 - 1"),
    ("\\frac{\\pi}{2}", "\\pi"),
    ("-2, 1", "2, -1"),
    ("\\frac{1+\\sqrt{5}}{2}", "2"),
]


def _symbolic_case(rng: random.Random) -> tuple[str, str]:
    gold, wrong = rng.choice(_SYMBOLIC)
    text = (
        "We have $x^2 - x - 1 = 0$, so by the quadratic formula $x = \\frac{1 \\pm \\sqrt{5}}{2}$.\n"
        "Substituting back, $f(2) = 4 - 2 + 1 = 3$ and the constraint $x > 0$ holds."
    )
    endings = [
        (55, f"Therefore the answer is $\\boxed{{{gold}}}$."),
        (15, f"Therefore the answer is $\\boxed{{{wrong}}}$."),
        (10, f"The final answer is ${gold}$."),
        (10, f"So we get ${gold}$."),
        (5, f"\\boxed{{\n{gold}\n}}"),
        (5, "I could not finish."),
    ]
    ending = rng.choices([e for _, e in endings], weights=[w for w, _ in endings])[0]
    return f"{text}\n{ending}", gold


def _reasoning_gym_rows(rng: random.Random, n: int) -> list[dict[str, Any]]:
    import reasoning_gym

    entries = list(reasoning_gym.create_dataset("basic_arithmetic", size=min(n, 500), seed=7))
    rows = []
    for i in range(n):
        entry = entries[i % len(entries)]
        answer = entry["answer"] if rng.random() < 0.7 else f"{entry['answer']}1"
        rows.append(
            {
                "completion": f"<think>\nworking it out\n</think>\n<answer>{answer}</answer>",
                "rg_entry": json.dumps(entry, default=str),
            }
        )
    return rows


def synthetic_records(preset: str, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` records (``completion`` plus the gold column the preset reads) from a fixed seed."""
    rng = random.Random(f"{preset}-{seed}")
    if preset == "reasoning_gym":
        return _reasoning_gym_rows(rng, n)
    make: Callable[[random.Random], tuple[str, str]] = {
        "gsm8k": _gsm8k_case,
        "finqa": _finqa_case,
        "math_symbolic": _symbolic_case,
        "think_format": lambda r: _gsm8k_case(r, answer_tag=True),
    }[preset]
    return [dict(zip(("completion", "answer"), make(rng), strict=True)) for _ in range(n)]


def compose_reward(root: Path, preset: str) -> Any:
    """The composed ``reward`` node of ``reward_component=<preset>`` with its prompt."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from rlvr.config import normalise_overrides

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(root / "conf"), version_base="1.3"):
            cfg = compose(
                config_name="config",
                overrides=normalise_overrides([f"reward_component={preset}", f"prompts={PRESETS[preset]}"]),
            )
    finally:
        GlobalHydra.instance().clear()
    return cfg


def measure(root: Path, preset: str, n: int, seed: int = 0) -> dict[str, Any]:
    """Score ``n`` synthetic records with the preset; completions/s, mean reward, seconds."""
    from rlvr.config.build import build
    from rlvr.modes.score import score_records
    from rlvr.rewards.judge import first_strategies

    cfg = compose_reward(root, preset)
    rewards = build(cfg.reward)
    strategies = first_strategies(rewards.functions)
    records = synthetic_records(preset, n, seed)
    score_records(rewards, records[:_CHUNK], strategies)  # warm-up: lazy imports, compiled patterns
    started, cpu_started = time.perf_counter(), time.process_time()
    rows: list[dict[str, Any]] = []
    for start in range(0, len(records), _CHUNK):
        rows += score_records(rewards, records[start : start + _CHUNK], strategies)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    scored = [row["reward"] for row in rows if row["reward"] is not None]
    return {
        "preset": preset,
        "completions": len(rows),
        "completions_per_s": len(rows) / seconds,
        "completions_per_cpu_s": len(rows) / cpu_seconds if cpu_seconds > 0 else None,
        "mean_reward": sum(scored) / len(scored) if scored else None,
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="completions per preset")
    parser.add_argument("--presets", default=",".join(PRESETS), help="comma-separated preset names")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per preset")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.root.resolve()))
    for preset in args.presets.split(","):
        if preset not in PRESETS:
            parser.error(f"unknown preset {preset!r}; use any of {', '.join(PRESETS)}")
        if preset == "reasoning_gym":
            try:
                import reasoning_gym  # noqa: F401
            except ImportError:
                print("reasoning_gym skipped (pip install reasoning-gym)", flush=True)
                continue
        result = measure(args.root.resolve(), preset, args.n, args.seed)
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            mean = "n/a" if result["mean_reward"] is None else f"{result['mean_reward']:.4f}"
            cpu = result["completions_per_cpu_s"] or float("nan")
            print(
                f"{preset:<14} {result['completions_per_s']:>10.1f} completions/s "
                f"({cpu:.1f} per CPU-second)  mean reward {mean}  "
                f"({result['completions']} in {result['seconds']:.2f} s)",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
