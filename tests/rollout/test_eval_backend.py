"""Evaluation through the rollout engine gives exactly the greedy completions of ``model.generate``."""

from __future__ import annotations

from pathlib import Path

from rlvr.evaluation.greedy import GreedyAccuracy


def test_fast_eval_equals_generate(tiny_model_dir: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, padding_side="left")
    rows = Dataset.from_list(
        [{"prompt": [{"role": "user", "content": "x" * n}], "answer": str(n)} for n in (1, 5, 9, 2, 30)]
    )
    reports = {
        backend: GreedyAccuracy(backend=backend, max_samples=None, batch_size=2, max_new_tokens=10).evaluate(
            model, tokenizer, rows, "after"
        )
        for backend in ("hf", "fast")
    }
    hf, fast = (reports[b]["samples"] for b in ("hf", "fast"))
    assert [s["completion"] for s in fast] == [s["completion"] for s in hf]
    assert [s["completion_tokens"] for s in fast] == [s["completion_tokens"] for s in hf]
    assert reports["fast"]["accuracy"] == reports["hf"]["accuracy"]


def test_unknown_backend_is_a_config_error() -> None:
    issues = GreedyAccuracy.config_issues("eval", {"backend": "vllm"})
    assert [(i.key, i.value) for i in issues] == [("eval.backend", "vllm")]
