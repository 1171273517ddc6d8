"""Wall time of the offline smoke run (`python run_pipeline.py experiment=smoke`), with what it produced.

    python benchmarks/smoke_wall_time.py [--repeat N] [extra overrides ...]

Prints one JSON line per run: wall seconds, exit code, optimizer steps, reward and eval figures.
Target: <= 90 s on 2 CPU cores, so a newcomer's first command answers in about a minute.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        proc = subprocess.run(
            [
                sys.executable,
                str(ROOT / "run_pipeline.py"),
                "experiment=smoke",
                *extra,
                f"hydra.run.dir={tmp}",
            ],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        figures: dict = {"wall_s": round(wall, 1), "returncode": proc.returncode}
        report_path = Path(tmp) / "eval_report.json"
        if report_path.exists():
            report = json.loads(report_path.read_text())
            figures |= {
                "steps": report["train"]["global_step"],
                "train_runtime_s": report["train"]["runtime_s"],
                "accuracy_before": report.get("before", {}).get("accuracy"),
                "accuracy_after": report.get("after", {}).get("accuracy"),
            }
            metrics = [json.loads(x) for x in (Path(tmp) / "metrics.jsonl").read_text().splitlines()]
            figures["reward_per_step"] = [
                m.get("reward") for m in metrics if m["kind"] == "train" and "loss" in m
            ]
        else:
            figures["stderr_tail"] = proc.stderr[-2000:]
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args, extra = parser.parse_known_args()
    for _ in range(args.repeat):
        print(json.dumps(run_once(extra)), flush=True)


if __name__ == "__main__":
    main()
