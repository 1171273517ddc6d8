"""Write a reasoning-gym task as GSM8K-style JSONL (``question``, ``answer`` ending ``#### <answer>``).

    python benchmarks/export_reasoning_gym.py <out dir> [--task basic_arithmetic] [--config JSON]
        [--train 4000] [--test 512] [--seed 0]

For GPU machines without the reasoning-gym package: the files train with the default GSM8K data and
rewards (``data.path=<out dir>/train.jsonl data.eval_path=<out dir>/test.jsonl``), so
``benchmarks/learning_gpu.sh`` takes ``<out dir>`` where it takes the GSM8K folder. Only tasks whose
answers are single numbers fit (the GSM8K reward compares numbers); the script refuses the others.
Train and test come from one generated dataset with repeated questions dropped, so they never share one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rlvr.answers import parse_number


def export(out: Path, task: str, config: dict, train: int, test: int, seed: int) -> dict[str, int]:
    import reasoning_gym

    wanted = train + test
    # Small task spaces repeat questions: generate extra, keep each question once (test never in train).
    dataset = reasoning_gym.create_dataset(task, size=4 * wanted, seed=seed, **config)
    rows, seen = [], set()
    for entry in dataset:
        if entry["question"] in seen:
            continue
        seen.add(entry["question"])
        answer = str(entry["answer"]).strip()
        if parse_number(answer) is None:
            raise SystemExit(
                f"export_reasoning_gym: task {task!r} answered {answer!r}, which is not a number; the "
                "GSM8K reward needs numeric answers. Pick a numeric task (e.g. basic_arithmetic, chain_sum)."
            )
        rows.append({"question": entry["question"], "answer": f"#### {answer}"})
        if len(rows) == wanted:
            break
    if len(rows) < wanted:
        raise SystemExit(
            f"export_reasoning_gym: task {task!r} with {config} has only {len(rows)} distinct questions in "
            f"{4 * wanted} draws, fewer than --train {train} + --test {test}; ask for fewer, or widen the "
            "task's ranges (e.g. max_digits)."
        )
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("train", rows[:train]), ("test", rows[train:])):
        (out / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    return {"train": train, "test": test}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--task", default="basic_arithmetic")
    parser.add_argument("--config", default="{}", help="the task's options as JSON")
    parser.add_argument("--train", type=int, default=4000)
    parser.add_argument("--test", type=int, default=512)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    counts = export(args.out, args.task, json.loads(args.config), args.train, args.test, args.seed)
    print(json.dumps({"out": str(args.out), "task": args.task, **counts}))


if __name__ == "__main__":
    main()
