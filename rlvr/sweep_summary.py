"""After a Hydra sweep (``-m``): one table of every job — its overrides, status, accuracy, reward, time.

    python run_pipeline.py -m experiment=smoke train.learning_rate=1e-5,5e-5
    # → multirun/<date>/<time>/sweep_summary.csv and sweep_summary.md

A Hydra callback (``hydra.callbacks.sweep_summary`` in ``conf/config.yaml``), so it runs with any launcher
that returns to the process that started the sweep. It only reads what each job left in its run dir
(``.hydra/overrides.yaml``, ``status.json``, ``eval_report.json``, ``metrics.jsonl``): a job that died
before writing them is listed as ``no result``. A sweep over seeds (``-m seed=1,2,3 …``) also gets each
configuration's mean and interval over its seeds and a paired comparison on matched seeds
(:mod:`rlvr.sweep_seeds`), in ``sweep_summary.md`` and ``sweep_seeds.json``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from rlvr.console import say
from rlvr.run_dir import RunDir
from rlvr.sweep_seeds import seed_markdown, seed_statistics

COLUMNS = (
    "job",
    "overrides",
    "status",
    "accuracy_before",
    "accuracy_after",
    "final_reward",
    "seconds",
    "error",
)


def job_row(job_dir: Path) -> dict[str, Any]:
    """The summary row of one job directory."""
    overrides_file = job_dir / ".hydra" / "overrides.yaml"
    overrides = yaml.safe_load(overrides_file.read_text()) if overrides_file.exists() else []
    status = _json(job_dir / "status.json") or {"status": "no result"}
    report = _json(job_dir / "eval_report.json") or {}
    return {
        "job": job_dir.name,
        "overrides": " ".join(o for o in overrides or [] if not o.startswith("hydra.")),
        "status": status.get("status"),
        "accuracy_before": (report.get("before") or {}).get("accuracy"),
        # after training; for a mode=eval job, its accuracy
        "accuracy_after": (report.get("after") or report.get("eval") or {}).get("accuracy"),
        "final_reward": _last_reward(job_dir / "metrics.jsonl"),
        "seconds": status.get("seconds"),
        "error": status.get("error", ""),
    }


def summarise(sweep_dir: Path) -> list[dict[str, Any]]:
    """Write ``sweep_summary.csv`` and ``sweep_summary.md`` into ``sweep_dir``; return the rows."""
    jobs = sorted(
        (p for p in sweep_dir.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name)
    )
    rows = [job_row(job) for job in jobs]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    out = RunDir(sweep_dir)
    out.write_text("sweep_summary.csv", text.getvalue())
    stats = seed_statistics(rows)
    out.write_text("sweep_summary.md", markdown(rows) + (seed_markdown(stats) if stats else ""))
    if stats:
        out.write_json("sweep_seeds.json", stats)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = [_cell(row[c]) for c in COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


class SweepSummary(Callback):
    """Writes the sweep summary when a multirun ends (also when some of its jobs failed)."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir))
        if not sweep_dir.is_dir():
            return
        rows = summarise(sweep_dir)
        failed = sum(row["status"] != "ok" for row in rows)
        say(f"sweep: {len(rows)} jobs, {failed} not ok → {sweep_dir / 'sweep_summary.md'}")


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _last_reward(path: Path) -> float | None:
    if not path.exists():
        return None
    rewards = [
        record["reward"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        and (record := json.loads(line)).get("kind") == "train"
        and record.get("reward") is not None
    ]
    return rewards[-1] if rewards else None


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")
