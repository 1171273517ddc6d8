"""``mode=profile``: how often the current model solves each training problem — the difficulty profile.

    python run_pipeline.py mode=profile                                   # the default model, all of train
    python run_pipeline.py experiment=smoke mode=profile profile.max_rows=16 profile.samples=4
    python run_pipeline.py mode=profile model.model_name_or_path=outputs/<run>/final_model

Each training row (``profile.max_rows`` of them, a seeded subset, or all) gets ``profile.samples``
completions at the rollouts' temperature and length, judged by the reward set's correctness reward —
the same path, judge and keyed draws as the evaluator's sampled pass@k (fast engine on a GPU, TRL/HF
generate on a CPU). A row's draws are keyed by its id, so its rate does not depend on which other rows
were profiled. Writes ``difficulty.jsonl`` (id, pass_rate, correct, samples, mean_length, truncated
share, gold answer, question), ``difficulty.md`` (summary and histogram), ``plots/difficulty.png``, and
prints the summary line ("37 % of train never solved, 21 % always solved"). ``data.difficulty_file``
then filters rows by band (``data.pass_rate``) or orders them (``data.curriculum``).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.config.errors import ConfigIssue
from rlvr.console import say
from rlvr.data.difficulty import row_id
from rlvr.interfaces import Evaluator, RewardComponent
from rlvr.models.loading import load_policy
from rlvr.modes.profile_settings import ProfileSettings
from rlvr.run_dir import RunDir


def input_issues(cfg: DictConfig) -> list[ConfigIssue]:
    """``profile.*`` checked as its :class:`ProfileSettings` node: an unknown key gets the closest field, a
    value that breaks its annotation the rule."""
    from rlvr.config.validate import resolved_node

    values, issues = resolved_node(cfg, "profile")
    if issues:
        return issues
    what = "mode=profile (rlvr.modes.profile_settings.ProfileSettings)"
    return ProfileSettings.node_issues("profile", values, what=what)


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Profile the train split; return the summary (also in ``difficulty.md``)."""
    started = time.perf_counter()
    run_dir.write_config(cfg)
    settings = ProfileSettings(**OmegaConf.to_container(cfg.profile, resolve=True))  # type: ignore[arg-type]
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    prompt = build(cfg.prompts)
    model, tokenizer, loaded = load_policy(cfg.model)
    train = build(cfg.data).load(prompt, tokenizer).train
    rows = subset(train, settings.max_rows, int(cfg.get("seed") or 0))
    rewards: RewardComponent = build(cfg.reward)
    evaluator: Evaluator = build(profile_evaluator_node(cfg.eval, settings))
    say(f"profile: {len(rows)} of {len(train)} train problems x {settings.samples} samples, {loaded}")
    ids = [row_id(row) for row in rows]
    drawn = evaluator.sampled_rows(model, tokenizer, rows, rewards.judge(), [draw_key(i) for i in ids])
    records = [
        difficulty_record(identifier, row, samples)
        for identifier, row, samples in zip(ids, rows, drawn, strict=True)
    ]
    run_dir.write_jsonl("difficulty.jsonl", records)
    group = int(OmegaConf.select(cfg, "train.num_generations", default=8) or 8)
    summary = summarize(records, settings.samples, group)
    summary |= {
        "model": loaded,
        "rows_in_train": len(train),
        "seconds": round(time.perf_counter() - started, 2),
    }
    run_dir.write_text("difficulty.md", markdown(summary, settings))
    if run_dir.writer:
        draw_histogram(summary, run_dir)
    say(f"profile: {summary['line']}")
    say(f"profile: wrote {run_dir.file('difficulty.jsonl')}; use it with data.difficulty_file=<that path>")
    return summary


def profile_evaluator_node(eval_node: DictConfig, settings: ProfileSettings) -> DictConfig:
    """The run's eval node (its judge, backend and seed) sampling as the profile asks."""
    node = OmegaConf.to_container(eval_node, resolve=True)
    node.update(  # type: ignore[union-attr]
        samples_per_problem=settings.samples,
        temperature=settings.temperature,
        max_new_tokens=settings.max_new_tokens,
        batch_size=settings.batch_size,
        k=[],
    )
    return OmegaConf.create(node)


def subset(dataset: Any, limit: int | None, seed: int) -> Any:
    """At most ``limit`` rows, a seeded random subset in split order (all rows when limit is None)."""
    if limit is None or limit >= len(dataset):
        return dataset
    import random

    return dataset.select(sorted(random.Random(seed).sample(range(len(dataset)), limit)))


def draw_key(identifier: str) -> int:
    """A row's sampling key from its id (the evaluator mixes it with its seed and the sample number)."""
    return int(hashlib.sha256(identifier.encode()).hexdigest()[:8], 16)


def difficulty_record(identifier: str, row: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``difficulty.jsonl`` line."""
    correct = sum(bool(s["correct"]) for s in samples)
    n = len(samples)
    record = {
        "id": identifier,
        "pass_rate": correct / n,
        "correct": correct,
        "samples": n,
        "mean_length": round(sum(s["completion_tokens"] for s in samples) / n, 2),
        "truncated": sum(bool(s["truncated"]) for s in samples) / n,
        "answer": row.get("answer"),
    }
    if row.get("question") is not None:
        record["question"] = row["question"]
    return record


def summarize(records: list[dict[str, Any]], samples: int, group: int) -> dict[str, Any]:
    """Shares never / always / sometimes solved, the histogram over the ``samples + 1`` possible rates,
    and the share of GRPO groups of ``group`` completions expected to have no reward spread (all right
    or all wrong: ``p^G + (1-p)^G`` at each row's profiled rate)."""
    total = max(len(records), 1)
    rates = [r["pass_rate"] for r in records]
    never = sum(rate == 0 for rate in rates) / total
    always = sum(rate == 1 for rate in rates) / total
    histogram = {f"{c}/{samples}": sum(r["correct"] == c for r in records) for c in range(samples + 1)}
    zero_spread = sum(rate**group + (1 - rate) ** group for rate in rates) / total
    line = (
        f"{never:.0%} of train never solved, {always:.0%} always solved, {1 - never - always:.0%} in between "
        f"({len(records)} problems x {samples} samples, mean pass rate {sum(rates) / total:.3f}); "
        f"GRPO groups of {group} expected without reward spread: {zero_spread:.0%}"
    )
    return {
        "problems": len(records),
        "samples": samples,
        "never_solved": round(never, 4),
        "always_solved": round(always, 4),
        "mean_pass_rate": round(sum(rates) / total, 4),
        "mean_length": round(sum(r["mean_length"] for r in records) / total, 2),
        "truncated": round(sum(r["truncated"] for r in records) / total, 4),
        "group_size": group,
        "zero_spread_groups": round(zero_spread, 4),
        "histogram": histogram,
        "line": line,
    }


def markdown(summary: dict[str, Any], settings: ProfileSettings) -> str:
    """``difficulty.md``: the summary line, the settings, and the histogram as a table."""
    rows = "\n".join(
        f"| {rate} | {count} | {count / max(summary['problems'], 1):.1%} |"
        for rate, count in summary["histogram"].items()
    )
    return (
        f"# Difficulty profile\n\n{summary['line']}\n\n"
        f"Model: `{summary['model']}`; {summary['problems']} of {summary['rows_in_train']} train problems, "
        f"{settings.samples} samples each at temperature {settings.temperature}, at most "
        f"{settings.max_new_tokens} tokens (mean length {summary['mean_length']}, "
        f"{summary['truncated']:.1%} truncated).\n\n"
        f"| solved | problems | share |\n|---|---|---|\n{rows}\n"
    )


def draw_histogram(summary: dict[str, Any], run_dir: RunDir) -> None:
    """``plots/difficulty.png``: problems per pass rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = run_dir.file("plots")
    folder.mkdir(exist_ok=True)
    labels, counts = list(summary["histogram"]), list(summary["histogram"].values())
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    axes.bar(range(len(counts)), counts)
    axes.set_xticks(range(len(counts)), labels, rotation=45 if len(labels) > 12 else 0)
    axes.set(title="difficulty profile", xlabel="samples solved", ylabel="problems")
    axes.grid(alpha=0.3, axis="y")
    figure.tight_layout()
    figure.savefig(folder / "difficulty.png", dpi=100)
    plt.close(figure)
