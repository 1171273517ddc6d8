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


def _tiny(tiny_model_dir: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir, padding_side="left")
    return model, tokenizer


def _prompts(count: int) -> list:
    return [[{"role": "user", "content": "x" * (1 + 3 * n)}] for n in range(count)]


def test_sampled_eval_is_the_same_on_both_backends_and_any_batch_size(tiny_model_dir: Path) -> None:
    """Keyed draws: the engine and ``generate`` pick the same sampled tokens, and a problem's samples do
    not change with the batch it runs in."""
    model, tokenizer = _tiny(tiny_model_dir)
    prompts = _prompts(5)
    drawn = {
        (backend, batch): GreedyAccuracy(
            backend=backend, batch_size=batch, max_new_tokens=8, samples_per_problem=3, k=[1], temperature=1.0
        ).sample(model, tokenizer, prompts)
        for backend in ("hf", "fast")
        for batch in (3, 15)
    }
    reference = drawn[("hf", 15)]
    assert all(result == reference for result in drawn.values())
    texts = [text for group in reference for text, _ in group]
    assert len(set(texts)) > len(prompts), "different samples of one problem differ (it samples)"


def test_a_rank_share_draws_what_the_whole_evaluation_draws_for_those_rows(tiny_model_dir: Path) -> None:
    """Under DDP rank 1 of 2 evaluates rows 1, 3 (``positions``): it must draw what one process
    evaluating all rows draws for them, so pass@k does not depend on the number of GPUs."""
    from datasets import Dataset

    model, tokenizer = _tiny(tiny_model_dir)
    rows = Dataset.from_list([{"prompt": p, "answer": "1"} for p in _prompts(4)])
    evaluator = GreedyAccuracy(backend="fast", batch_size=6, max_new_tokens=8, samples_per_problem=3, k=[1])
    judge = evaluator.numeric_judge()
    whole = evaluator.sampled_verdicts(model, tokenizer, rows, judge)
    share = evaluator.sampled_verdicts(model, tokenizer, rows.select([1, 3]), judge, positions=[1, 3])
    assert share == [whole[1], whole[3]]
    whole_texts = evaluator.sample(model, tokenizer, rows["prompt"])
    share_texts = evaluator.sample(model, tokenizer, [rows[1]["prompt"], rows[3]["prompt"]], [1, 3])
    assert share_texts == [whole_texts[1], whole_texts[3]]
