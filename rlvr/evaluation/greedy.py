"""Greedy-decoding accuracy on the held-out split, before and after training.

A sample is correct when the reward set's correctness reward (the first scorer marked
``@correctness``, e.g. ``numeric_correctness`` or ``finqa_correctness``) gives it its maximum — so
"accuracy" means exactly what the training signal means, FinQA's percent rules included. Without such a
reward (or with ``judge: numeric``) it falls back to :func:`rlvr.answers.is_correct` with ``strategies``.
The ``extracted`` column shows the span the judge read (:attr:`rlvr.interfaces.Judge.extract`), so the
column, the verdict and ``mode=score`` follow one rule.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from rlvr.answers import DEFAULT_STRATEGIES, extract_answer, is_correct, unknown_strategies
from rlvr.config.errors import ConfigIssue
from rlvr.interfaces import Judge
from rlvr.prompts import render_prompt


class GreedyAccuracy:
    """Greedy generation on up to ``max_samples`` eval rows; reports accuracy and per-sample records."""

    def __init__(
        self,
        enabled: bool = True,
        before_training: bool = True,
        after_training: bool = True,
        max_samples: int | None = 200,
        batch_size: int = 32,
        max_new_tokens: int = 512,
        strategies: Sequence[str] = DEFAULT_STRATEGIES,
        tolerance: float = 1e-6,
        judge: str = "reward",
        backend: str = "auto",
    ):
        self.enabled = enabled
        self.before_training = before_training and enabled
        self.after_training = after_training and enabled
        self.max_samples = max_samples
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.strategies = list(strategies)
        self.tolerance = tolerance
        self.judge = judge
        self.backend = backend

    def evaluate(
        self, model: Any, tokenizer: Any, dataset: Any, tag: str, judge: Judge | None = None
    ) -> dict[str, Any]:
        """Accuracy report for ``dataset`` (rows with ``prompt`` and ``answer``); ``tag`` labels it.
        ``judge`` (the reward set's :meth:`judge`) decides correctness when given and
        ``self.judge == "reward"``."""
        if self.judge != "reward" or judge is None:
            judge = self.numeric_judge()
        rows = dataset.select(range(min(len(dataset), self.max_samples or len(dataset))))
        samples, started = [], time.perf_counter()
        for start in range(0, len(rows), self.batch_size):
            batch = rows.select(range(start, min(start + self.batch_size, len(rows))))
            for row, (completion, length) in zip(
                batch, self.generate(model, tokenizer, batch["prompt"]), strict=True
            ):
                samples.append(
                    {
                        "answer": row["answer"],
                        "completion": completion,
                        "extracted": judge.extract(completion),
                        "correct": judge.is_correct(completion, row),
                        "completion_tokens": length,
                    }
                )
        correct = sum(s["correct"] for s in samples)
        return {
            "tag": tag,
            "judge": judge.name,
            "accuracy": correct / len(samples) if samples else 0.0,
            "correct": correct,
            "total": len(samples),
            "mean_completion_tokens": sum(s["completion_tokens"] for s in samples) / max(1, len(samples)),
            "seconds": round(time.perf_counter() - started, 2),
            "samples": samples,
        }

    def numeric_judge(self) -> Judge:
        """Correct = the number extracted by ``strategies`` equals the gold within ``tolerance``."""
        return Judge(
            f"numeric(strategies={self.strategies})",
            lambda completion, row: is_correct(completion, row["answer"], self.strategies, self.tolerance),
            lambda completion: extract_answer(completion, self.strategies),
        )

    def generate(self, model: Any, tokenizer: Any, prompts: list[Any]) -> list[tuple[str, int]]:
        """Greedy completions (text, generated token count) for one batch of prompts, left-padded."""
        import torch

        texts = [render_prompt(p, tokenizer) for p in prompts]
        if self.backend == "fast" or (self.backend == "auto" and torch.cuda.is_available()):
            return self._generate_fast(model, tokenizer, texts)
        inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(
            model.device
        )
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                output = model.generate(
                    **inputs,
                    max_new_tokens=self.max_new_tokens,
                    do_sample=False,
                    use_cache=True,
                    pad_token_id=tokenizer.pad_token_id,
                )
        finally:
            model.train(was_training)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [
            (tokenizer.decode(t, skip_special_tokens=True), int((t != tokenizer.pad_token_id).sum()))
            for t in new_tokens
        ]

    def _generate_fast(self, model: Any, tokenizer: Any, texts: list[str]) -> list[tuple[str, int]]:
        """The same greedy completions through the rollout engine (the training run's inference copy when
        there is one, synced to the policy's current weights)."""
        from rlvr.rollout import SamplingSettings, engine_for

        eos = model.generation_config.eos_token_id
        eos_ids = [eos] if isinstance(eos, int) else list(eos or [tokenizer.eos_token_id])
        engine = engine_for(model, tokenizer.pad_token_id, eos_ids)
        engine.sync(model)
        ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
        outputs = engine.generate(ids, SamplingSettings(max_new_tokens=self.max_new_tokens, do_sample=False))
        pad = tokenizer.pad_token_id
        return [(tokenizer.decode(o, skip_special_tokens=True), sum(t != pad for t in o)) for o in outputs]

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        if kwargs.get("backend", "auto") not in ("auto", "hf", "fast"):
            return [
                ConfigIssue(
                    f"{prefix}.backend",
                    kwargs["backend"],
                    "unknown generation backend",
                    "use auto (fast on a CUDA GPU, hf elsewhere), hf (model.generate) or fast (the rollout engine)",
                )
            ]
        if kwargs.get("judge", "reward") not in ("reward", "numeric"):
            return [
                ConfigIssue(
                    f"{prefix}.judge",
                    kwargs["judge"],
                    "unknown judge",
                    "use reward (the correctness reward at its maximum) or numeric",
                )
            ]
        bad = unknown_strategies(kwargs.get("strategies") or [])
        return (
            [
                ConfigIssue(
                    f"{prefix}.strategies",
                    bad,
                    "unknown extraction strategies",
                    "use hash, boxed, answer_tag, answer_is, last_number",
                )
            ]
            if bad
            else []
        )
