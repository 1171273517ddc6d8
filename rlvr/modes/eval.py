"""``mode=eval``: evaluate a model without training, exactly as a training run evaluates.

    python run_pipeline.py experiment=smoke mode=eval model.model_name_or_path=outputs/<run>/final_model

``model.model_name_or_path`` is anything the model component loads (hub id, directory, checkpoint,
``.gguf`` file) or a LoRA adapter directory (it holds ``adapter_config.json``): the adapter's base model
is the one the run that trained it used (its ``resolved_config.yaml``, one or two folders up), else the
adapter's own ``base_model_name_or_path``; the other ``model.*`` keys (dtype, eos_token, …) apply to it.
Data, prompts, rewards (the judge) and the ``eval`` node are the same groups a training run uses, so the
figure matches the run's final accuracy. Writes ``eval_samples_eval.jsonl`` and ``eval_report.json``.
With ``eval.suite=<name>`` the model is evaluated on that benchmark suite instead (:mod:`rlvr.modes.suite`).

Also home of the pieces the train mode shares: :func:`print_comparison`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.console import say
from rlvr.interfaces import Evaluator, Observer, RewardComponent
from rlvr.modes.suite import run_suite
from rlvr.observers.silent import for_rank
from rlvr.paths import resolve_path
from rlvr.run_dir import RunDir


def print_comparison(comparison: dict[str, Any], report: dict[str, Any]) -> None:
    """One console line per metric ("baseline → final (Δ, CI)"), then one per task."""
    for metric, entry in comparison.items():
        say(f"eval: {metric} {entry['text']}")
    for task, row in (report.get("by_task") or {}).items():
        low, high = row["accuracy_ci"]
        say(
            f"eval: task {task}: accuracy {row['accuracy']:.3f} (95% CI [{low:.3f}, {high:.3f}], n={row['total']})"
        )


def adapter_base(adapter_dir: Path) -> dict[str, Any]:
    """The ``model.*`` keys naming an adapter's base model: from the training run's resolved config when
    the adapter sits in a run dir (``final_model/``, ``best_model/``, ``checkpoints/checkpoint-N/``), else
    ``base_model_name_or_path`` from ``adapter_config.json``."""
    for parent in (adapter_dir.parent, adapter_dir.parent.parent):
        resolved = parent / "resolved_config.yaml"
        if resolved.is_file():
            model = OmegaConf.load(resolved).get("model") or {}
            if model.get("model_name_or_path"):
                return {"model_name_or_path": model.model_name_or_path, "gguf_file": model.get("gguf_file")}
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    return {"model_name_or_path": config["base_model_name_or_path"], "gguf_file": None}


def load_policy(model_node: DictConfig) -> tuple[Any, Any, str]:
    """(model, tokenizer, what was loaded) for ``model.model_name_or_path``, an adapter dir included."""
    name = str(model_node.model_name_or_path)
    local = Path(resolve_path(name)) if not name.endswith(".gguf") else None
    adapter = local if local is not None and (local / "adapter_config.json").is_file() else None
    node = OmegaConf.to_container(model_node, resolve=True)
    if adapter is not None:
        node.update(adapter_base(adapter))
        # The trained adapter goes on top below; a component that wraps its own (Unsloth) must not.
        node["lora"] = {**(node.get("lora") or {}), "enabled": False}
    component = build(OmegaConf.create(node))
    tokenizer = component.load_tokenizer()
    model = on_accelerator(component.load(tokenizer).model)
    if adapter is None:
        return model, tokenizer, name
    from peft import PeftModel

    return (
        PeftModel.from_pretrained(model, str(adapter)),
        tokenizer,
        f"{adapter} on {node['model_name_or_path']}",
    )


def on_accelerator(model: Any) -> Any:
    """``model`` on this rank's GPU when there is one. Training leaves placement to the Trainer; the modes
    that only generate (eval, profile) load through here, and ``from_pretrained`` puts weights on the CPU,
    where the rollout engine and ``generate`` would then run. A model already placed by ``device_map`` (a
    4/8-bit base) stays where it is."""
    import torch

    if not torch.cuda.is_available() or getattr(model, "hf_device_map", None):
        return model
    from rlvr.launch import local_rank

    return model.to(torch.device("cuda", local_rank() % torch.cuda.device_count()))


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
        raise ValueError(
            "mode=eval found no eval rows: set data.eval_path, data.eval_split or data.eval_holdout"
        )
    rewards: RewardComponent = build(cfg.reward)
    evaluator: Evaluator = build(cfg.eval)
    observer: Observer = for_rank(build(cfg.observer), run_dir)
    observer.start(run_dir, config)
    report: dict[str, Any] = {"model": loaded, "data": data.info}
    try:
        result = evaluator.evaluate(
            model, tokenizer, data.eval, "eval", rewards.judge(), rewards.format_check()
        )
        run_dir.write_jsonl("eval_samples_eval.jsonl", result["samples"])
        report["comparison"] = evaluator.compare(None, result)
        report["eval"] = {k: v for k, v in result.items() if k != "samples"}
        observer.log_eval(report["eval"], step=0)
        say(f"eval: {loaded}: {report['eval']['total']} rows, judge {report['eval']['judge']}")
        print_comparison(report["comparison"], report["eval"])
        report["run_seconds"] = round(time.perf_counter() - started, 2)
        run_dir.write_json("eval_report.json", report)
        return report
    finally:
        observer.finish({"eval/eval/accuracy": report["eval"]["accuracy"]} if "eval" in report else None)


def adopt_point(periodic: Any | None, step: int, result: dict[str, Any] | None) -> None:
    """Let the in-training eval take its point at ``step`` from a before/after evaluation of the same
    policy (its first rows are the periodic subset) instead of generating it again."""
    if periodic is not None and result is not None:
        periodic.state.adopt(step, result["samples"])


def summarize_evaluation(
    evaluator: Evaluator,
    results: dict[str, dict[str, Any]],
    periodic: Any | None,
    report: dict[str, Any],
    started: float,
) -> None:
    """Add to a training run's report, and print: baseline → final per metric (Δ, CI), the in-training
    points and the best step (and where it was saved), and evaluation's share of the run's wall time."""
    final = results.get("after") or results.get("before")
    if final is not None:
        report["comparison"] = evaluator.compare(results.get("before") if "after" in results else None, final)
        print_comparison(report["comparison"], final)
    eval_seconds = sum(result["seconds"] for result in results.values())
    if periodic is not None:
        report["periodic"] = periodic.state.summary()
        eval_seconds += report["periodic"]["seconds"]
        steps = [point["step"] for point in report["periodic"]["points"]]
        best = report["periodic"]["best"]
        if best is not None:
            saved = f"; saved to {best['saved_to']}" if "saved_to" in best else ""
            say(f"eval: in-training points at steps {steps}; best step {best['step']} "
                f"({best['metric']} {best['value']:.3f}){saved}")  # fmt: skip
    run_seconds = time.perf_counter() - started
    report["eval_time"] = {
        "eval_s": round(eval_seconds, 2),
        "run_s": round(run_seconds, 2),
        "share": round(eval_seconds / run_seconds, 4) if run_seconds > 0 else 0.0,
    }
    say(f"eval: {eval_seconds:.1f} s, {report['eval_time']['share']:.0%} of the time so far")
