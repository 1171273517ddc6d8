"""``mode=eval``: evaluate a model without training, exactly as a training run evaluates.

    python run_pipeline.py experiment=smoke mode=eval model.model_name_or_path=outputs/<run>/final_model

``model.model_name_or_path`` is anything the model component loads, or a LoRA adapter directory on its
base model (:mod:`rlvr.models.loading`). Data, prompts, rewards (the judge) and the ``eval`` node are the
same groups a training run uses, and the evaluation is the same call (:mod:`rlvr.evaluation.session`), so
the figure matches the run's final accuracy. Writes ``eval_samples_eval.jsonl`` and ``eval_report.json``.
With ``eval.suite=<name>`` the model is evaluated on that benchmark suite instead (:mod:`rlvr.modes.suite`).
"""

from __future__ import annotations

import time
from typing import Any

from omegaconf import DictConfig

from rlvr.config import build
from rlvr.console import say
from rlvr.errors import DataError
from rlvr.evaluation.session import evaluate_policy, print_comparison
from rlvr.interfaces import Evaluator, Observer, RewardComponent
from rlvr.models.loading import load_policy
from rlvr.modes.suite import run_suite
from rlvr.observers.silent import for_rank
from rlvr.run_dir import RunDir

#: No eval rows to evaluate on: the data config gives none.
NO_EVAL_ROWS = "mode=eval found no eval rows. Fix: set data.eval_path, data.eval_split or data.eval_holdout"


def run(cfg: DictConfig, run_dir: RunDir) -> dict[str, Any]:
    """Evaluate ``model.model_name_or_path`` on the eval split; return the report (``eval_report.json``)."""
    started = time.perf_counter()
    config = run_dir.write_config(cfg)
    if cfg.get("seed") is not None:
        from transformers import set_seed

        set_seed(int(cfg.seed))
    prompt = build(cfg.prompts)
    model, tokenizer, loaded = load_policy(cfg.model)
    if cfg.eval.get("suite"):  # a benchmark suite instead of the data's eval split (rlvr/modes/suite.py)
        return run_suite(cfg, run_dir, config, (model, tokenizer, loaded))
    data = build(cfg.data).load(prompt, tokenizer)
    if data.eval is None:
        raise DataError(NO_EVAL_ROWS)
    rewards: RewardComponent = build(cfg.reward)
    evaluator: Evaluator = build(cfg.eval)
    observer: Observer = for_rank(build(cfg.observer), run_dir)
    observer.start(run_dir, config)
    summary: dict[str, Any] | None = None
    try:
        evaluation = evaluate_policy(
            evaluator, (model, tokenizer), data.eval, "eval", rewards, observer, run_dir
        )
        summary = evaluation.summary
        comparison = evaluator.compare(None, evaluation.result)
        say(f"eval: {loaded}: {summary['total']} rows, judge {summary['judge']}")
        print_comparison(comparison, summary)
        report = {"model": loaded, "data": data.info, "comparison": comparison, "eval": summary}
        report["run_seconds"] = round(time.perf_counter() - started, 2)
        run_dir.write_json("eval_report.json", report)
        return report
    finally:
        observer.finish({"eval/eval/accuracy": summary["accuracy"]} if summary else None)
