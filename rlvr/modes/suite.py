"""``mode=eval`` with ``eval.suite=<name>``: one model on every benchmark of a suite, one table each.

    python run_pipeline.py mode=eval eval.suite=math_std model.model_name_or_path=<model or adapter dir>

For each benchmark (:class:`rlvr.evaluation.suite.Benchmark`) the existing components are built from the
nodes it names — the generic data component reads its rows, the prompt component renders them, a reward
set holding its judge entry decides correctness — and the configured evaluator, with the benchmark's
rows, sampling and length, evaluates the model already loaded: the same generation path as every other
evaluation (the rollout engine on a GPU, ``model.generate`` elsewhere). Writes ``suite/<name>.jsonl`` and
``.md`` per benchmark and ``suite_summary.{json,md,png}`` (:mod:`rlvr.evaluation.suite_report`).
"""

from __future__ import annotations

import time
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.console import say
from rlvr.evaluation.lm_eval_gsm8k import add_harness_scores
from rlvr.evaluation.suite import Benchmark, Suite
from rlvr.evaluation.suite_report import (
    benchmark_entry,
    benchmark_markdown,
    metrics_of,
    percent,
    write_summary,
)
from rlvr.interfaces import Evaluator, Observer, Prompt, RewardComponent
from rlvr.run_dir import RunDir


def evaluate_suite(
    cfg: DictConfig,
    run_dir: RunDir,
    policy: tuple[Any, Any, str],
    observer: Observer,
    step: int = 0,
    tag: str = "suite",
) -> dict[str, Any]:
    """Evaluate the loaded ``policy`` (model, tokenizer, what was loaded) on ``cfg.eval.suite``; write the
    tables and the summary into ``run_dir``; return the summary. Format compliance is the judge set's
    ``@format_reward`` reward, else the benchmark prompt's answer format. Figures are logged at ``step``
    as ``eval/suite/<name>/*`` under the tag ``<tag>/<name>``."""
    model, tokenizer, loaded = policy
    started = time.perf_counter()
    if run_dir.writer:
        run_dir.file("suite").mkdir(exist_ok=True)
    suite = Suite.from_node(OmegaConf.to_container(cfg.eval.suite, resolve=True))  # type: ignore[arg-type]
    eval_node = OmegaConf.to_container(cfg.eval, resolve=True)
    run_prompt: Prompt = build(cfg.prompts)
    run_rewards: RewardComponent | None = None
    summary: dict[str, Any] = {"suite": suite.name, "model": loaded, "benchmarks": []}
    for benchmark in suite.benchmarks:
        prompt: Prompt = build(benchmark.prompt) if benchmark.prompt else run_prompt
        if benchmark.judge_node() is None:
            run_rewards = run_rewards or build(cfg.reward)
        rewards: RewardComponent = build(benchmark.judge_node()) if benchmark.judge_node() else run_rewards
        data = build(benchmark.data_node()).load(prompt, tokenizer)
        evaluator: Evaluator = build({**eval_node, **benchmark.evaluator_keys(suite, prompt.answer_format)})  # type: ignore[dict-item]
        say(f"suite {suite.name}: {benchmark.label} ({len(data.train)} problems, {benchmark.headline})")
        result = evaluator.evaluate(
            model, tokenizer, data.train, benchmark.name, rewards.judge(), rewards.format_check()
        )
        if benchmark.harness_gsm8k:
            settings = evaluator_settings(eval_node)
            result.update(add_harness_scores(result["samples"], *settings))
        entry = record_benchmark(benchmark, result, data.info, run_dir, observer, step, tag)
        summary["benchmarks"].append(entry)
        say(
            f"suite {suite.name}: {benchmark.label} {entry['headline']} {percent(entry['value'], entry['ci'])} %"
        )
    summary["seconds"] = round(time.perf_counter() - started, 2)
    write_summary(summary, run_dir)
    say(
        f"suite {suite.name}: {len(suite.benchmarks)} benchmarks in {summary['seconds']:.0f} s → {run_dir.path / 'suite_summary.md'}"
    )
    return summary


def evaluator_settings(eval_node: dict[str, Any]) -> tuple[int, int]:
    """(bootstrap resamples, seed) of the configured evaluator, for figures added beside its own."""
    return int(eval_node.get("bootstrap_samples", 1000)), int(eval_node.get("seed", 42))


def record_benchmark(
    benchmark: Benchmark,
    result: dict[str, Any],
    info: dict[str, Any],
    run_dir: RunDir,
    observer: Observer,
    step: int = 0,
    tag: str = "suite",
) -> dict[str, Any]:
    """Write the benchmark's rows and table, log its figures (tag ``<tag>/<name>``); its summary entry."""
    run_dir.write_jsonl(f"suite/{benchmark.name}.jsonl", result["samples"])
    source = str(info.get("source"))
    if info.get("train_split"):
        source += f" ({info.get('config') or 'default'}, {info['train_split']})"
    entry = benchmark_entry(benchmark, result, source)
    run_dir.write_text(f"suite/{benchmark.name}.md", benchmark_markdown(entry))
    # Under eval/suite/<name>/: the run summary's accuracy line stays for before → after evaluations.
    shown = ("total", *metrics_of(result), *[f"{k}_ci" for k in metrics_of(result)])
    figures = {f"eval/suite/{benchmark.name}/{k}": result[k] for k in shown}
    observer.log_metrics({"tag": f"{tag}/{benchmark.name}", **figures}, step=step, kind="eval")
    return entry


def run_suite(
    cfg: DictConfig,
    run_dir: RunDir,
    config: dict[str, Any],
    policy: tuple[Any, Any, str],
) -> dict[str, Any]:
    """mode=eval's suite branch: the observer around :func:`evaluate_suite`; ``eval_report.json`` holds
    the model and the suite summary."""
    from rlvr.observers.silent import for_rank

    started = time.perf_counter()
    observer: Observer = for_rank(build(cfg.observer), run_dir)
    observer.start(run_dir, config)
    report: dict[str, Any] = {"model": policy[2]}
    try:
        report["suite"] = evaluate_suite(cfg, run_dir, policy, observer)
        report["run_seconds"] = round(time.perf_counter() - started, 2)
        run_dir.write_json("eval_report.json", report)
        return report
    finally:
        observer.finish(
            {
                f"suite/{e['name']}/{e['headline']}": e["value"]
                for e in report.get("suite", {}).get("benchmarks", [])
            }
            or None
        )
