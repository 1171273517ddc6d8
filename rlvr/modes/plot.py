"""``mode=plot``: redraw a run's charts from its ``metrics.jsonl``, or overlay several runs.

    python run_pipeline.py mode=plot input=outputs/2026-11-29/10-00-00
    python run_pipeline.py mode=plot 'input=[outputs/a,outputs/b]'     # one line per run in each panel

The PNGs go to this invocation's own run dir (``plots/``), so the runs read are never modified; the same
panels a training run draws at its end (:mod:`rlvr.observers.plots`). Runs are labelled by their
directory names (the path when names repeat).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig

from rlvr.config.errors import ConfigIssue
from rlvr.console import say
from rlvr.errors import ConfigError
from rlvr.manifest import write_manifest
from rlvr.observers.plots import draw_plots, read_records
from rlvr.run_dir import RunDir


def plot_inputs(value: Any) -> list[Path]:
    """``input`` as a list of paths: one path, or a list of them."""
    if value is None or value == "":
        return []
    items = list(value) if isinstance(value, (list, tuple, ListConfig)) else [value]
    return [Path(str(item)) for item in items]


def input_issues(cfg: DictConfig) -> list[ConfigIssue]:
    """``input`` names one run dir or a list of them, each holding a ``metrics.jsonl`` (or a metrics file)."""
    paths = plot_inputs(cfg.get("input"))
    if not paths:
        return [
            ConfigIssue(
                "input",
                cfg.get("input"),
                "mode=plot needs the run(s) to draw",
                "add input=<run dir> or input=[<dir>,<dir>]",
            )
        ]
    return [
        ConfigIssue(
            "input", str(path), "no metrics.jsonl there", "point input= at a training run's directory"
        )
        for path in paths
        if not (path / "metrics.jsonl").is_file() and not (path.is_file() and path.suffix == ".jsonl")
    ]


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Draw the panels of every input run into ``<run_dir>/plots``; return the titles and files."""
    paths = plot_inputs(cfg.get("input"))
    if not paths:  # validation says so first (input_issues); a direct call gets the same rule
        raise ConfigError("; ".join(str(issue) for issue in input_issues(cfg)))
    write_manifest(run_dir, run_dir.write_config(cfg))
    names = [p.name if p.is_dir() else p.parent.name for p in paths]
    labels = names if len(set(names)) == len(names) else [str(p) for p in paths]
    drawn = draw_plots(
        {label: read_records(path) for label, path in zip(labels, paths, strict=True)}, run_dir
    )
    for title, path in drawn:
        say(f"plot: {title} → {path}")
    if not drawn:
        say("plot: no metrics to draw in " + ", ".join(map(str, paths)))
    return {"inputs": [str(p) for p in paths], "plots": {title: str(path) for title, path in drawn}}
