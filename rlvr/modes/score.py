"""``mode=score``: apply the configured reward functions to saved completions, offline.

    python run_pipeline.py mode=score input=outputs/.../eval_samples_after.jsonl
    python run_pipeline.py mode=score input=mine.jsonl output=scored.jsonl reward_component=finqa

Each input line is a JSON object with ``completion`` (a string, or chat messages whose assistant turns
are scored), the gold column(s) the reward functions name (``answer`` for GSM8K and FinQA), and
optionally ``prompt`` and ``completion_ids``. Each output line is that object plus one key per reward
function (its name, as logged in training), ``reward`` (the weighted sum over functions that scored,
as TRL sums them; null when none did) and ``extracted`` (the answer span, by the same
rule the evaluator's ``extracted`` column uses: the correctness reward's extraction order, see
:func:`rlvr.rewards.judge.first_strategies`). Lines keep their order; blank lines are skipped. Useful to
re-score eval samples with a new reward config and to audit reward functions on hand-made cases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from rlvr.answers import extract_answer
from rlvr.config.build import build
from rlvr.config.errors import ConfigIssue
from rlvr.console import say
from rlvr.errors import ConfigError, DataError, DataFileMissing
from rlvr.interfaces import RewardComponent
from rlvr.jsonl import json_objects
from rlvr.manifest import write_manifest
from rlvr.modes.inputs import input_path_issue
from rlvr.paths import resolve_path
from rlvr.rewards import completion_text
from rlvr.rewards.judge import first_strategies
from rlvr.run_dir import RunDir, write_jsonl_file

_CHUNK = 64  # records per reward call, like a training batch (a batched scorer sees this many at once)


def input_issues(cfg: DictConfig) -> list[ConfigIssue]:
    """``input`` names an existing JSONL file of completions (checked at validation, before anything loads)."""
    issue = input_path_issue(
        "input",
        cfg.get("input"),
        "mode=score needs a JSONL file of completions",
        "<file.jsonl>",
        "JSONL file",
    )
    return [issue] if issue else []


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Score ``cfg.input`` into ``cfg.output`` (default ``<run_dir>/scores.jsonl``); return a summary."""
    if not cfg.get("input"):  # validation says so first (input_issues); a direct call gets the same rule
        raise ConfigError("; ".join(str(issue) for issue in input_issues(cfg)))
    write_manifest(run_dir, run_dir.write_config(cfg))
    source = resolve_path(str(cfg.input))
    rewards: RewardComponent = build(cfg.reward)
    records = read_completions(source, sorted({c for f in rewards.functions for c in f.columns}))
    strategies = first_strategies(rewards.functions)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(records), _CHUNK):
        rows += score_records(rewards, [r for _, r in records[start : start + _CHUNK]], strategies)
    if cfg.get("output"):
        target = write_jsonl_file(Path(str(cfg.output)), rows)
    else:
        target = run_dir.write_jsonl("scores.jsonl", rows)
    summary = {
        "input": str(source),
        "output": str(target),
        "records": len(rows),
        "means": {name: _mean([row[name] for row in rows]) for name in rewards.names},
        "reward_mean": _mean([row["reward"] for row in rows]),
        "errors": rewards.error_counts,
    }
    for name, mean in summary["means"].items():
        shown = "n/a (nothing scored)" if mean is None else f"{mean:.4f}"
        say(f"score: {name} mean={shown} errors={summary['errors'][name]}")
    say(f"score: {len(rows)} records from {source} → {target}")
    return summary


def read_completions(path: Path, columns: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for each non-blank line. A file that is not there, or a line that is not a
    record the rewards can score, is a DataError naming ``file:line``, what is wrong and the fix (one
    ``rlvr:`` line, exit 3, as for a bad line in a data file)."""
    if not path.is_file():
        raise DataFileMissing(f"input={path}: no such file. Fix: point input= at a JSONL file of records")
    records = []
    for number, record in json_objects(path, "make each line one JSON object"):
        missing = [c for c in ("completion", *columns) if c not in record]
        if missing:
            raise DataError(
                f"{path}:{number}: record has no {', '.join(map(repr, missing))} (it has {sorted(record)}). "
                f"Fix: give every record the fields the reward functions read: {['completion', *columns]}"
            )
        records.append((number, record))
    return records


def score_records(
    rewards: RewardComponent, records: list[dict[str, Any]], strategies: list[str]
) -> list[dict[str, Any]]:
    """Each record with every function's reward, the weighted ``reward`` and the ``extracted`` answer."""
    completions = [r["completion"] for r in records]
    prompts = [r.get("prompt") for r in records]
    columns = {c: [r[c] for r in records] for f in rewards.functions for c in f.columns}
    if all("completion_ids" in r for r in records):
        columns["completion_ids"] = [r["completion_ids"] for r in records]
    scores = {f.name: f(prompts, completions, **columns) for f in rewards.functions}
    rows = []
    for i, record in enumerate(records):
        row = {**record, **{name: values[i] for name, values in scores.items()}}
        scored = [
            (w, scores[n][i])
            for w, n in zip(rewards.weights, rewards.names, strict=True)
            if scores[n][i] is not None
        ]
        row["reward"] = sum(w * v for w, v in scored) if scored else None
        row["extracted"] = extract_answer(completion_text(record["completion"]), strategies)
        rows.append(row)
    return rows


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
