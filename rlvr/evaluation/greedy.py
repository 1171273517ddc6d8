"""Accuracy the reward cannot fool: greedy accuracy, pass@k / maj@k, confidence intervals, per task.

A sample is correct when the reward set's correctness reward (the first scorer marked
``@correctness``, e.g. ``numeric_correctness`` or ``finqa_correctness``) gives it its maximum — so
"accuracy" means exactly what the training signal means, FinQA's percent rules included. Without such a
reward (or with ``judge: numeric``) it falls back to :func:`rlvr.answers.is_correct` with ``strategies``.
The ``extracted`` column shows the span the judge read (:attr:`rlvr.interfaces.Judge.extract`), so the
column, the verdict and ``mode=score`` follow one rule.

The same evaluator runs before training, every ``every_n_steps`` during it (:mod:`rlvr.evaluation.periodic`,
on a fixed subset of ``periodic_samples`` rows), after it, and in ``mode=eval``: one measurement, comparable
across checkpoints and runs. The statistics live in :mod:`rlvr.evaluation.stats`.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Sequence
from typing import Annotated, Any

from rlvr.answers import DEFAULT_STRATEGIES, Strategy, extract_answer, is_correct
from rlvr.config.errors import ConfigIssue, ConfigValidationError
from rlvr.config.types import AtLeast
from rlvr.console import progress
from rlvr.evaluation.options import BestMetric, BestModel, JudgeChoice, eval_rules, k_issue
from rlvr.evaluation.report import (
    compare_reports,
    greedy_summary,
    sample_record,
    sampled_columns,
    sampled_summary,
)
from rlvr.evaluation.sharding import eval_shard, shared_out
from rlvr.evaluation.suite import Suite
from rlvr.interfaces import Judge, Observer
from rlvr.prompts import render_prompt
from rlvr.rollout import SamplingSettings
from rlvr.rollout.choice import EvalBackend, deprecated, resolve_backend
from rlvr.rollout.sampling import keyed_logits_processor, row_key
from rlvr.run_dir import RunDir

FormatCheck = Callable[[str], bool]


class GreedyAccuracy:
    """Greedy generation on up to ``max_samples`` eval rows (plus sampled pass@k/maj@k when
    ``samples_per_problem`` > 0); reports accuracy with bootstrap CIs and per-sample records."""

    def __init__(
        self,
        enabled: bool = True,
        before_training: bool = True,
        after_training: bool = True,
        max_samples: Annotated[int, AtLeast(1, note="null evaluates the whole split")] | None = 200,
        batch_size: Annotated[int, AtLeast(1)] = 128,
        max_new_tokens: Annotated[int, AtLeast(1)] = 512,
        strategies: Sequence[Strategy] = DEFAULT_STRATEGIES,
        tolerance: Annotated[float, AtLeast(0)] = 1e-6,
        judge: JudgeChoice = "reward",
        backend: EvalBackend = "auto",
        every_n_steps: Annotated[int, AtLeast(0, note="0 switches it off")] = 50,
        periodic_samples: Annotated[int, AtLeast(1)] = 32,
        samples_per_problem: Annotated[int, AtLeast(0, note="0 switches sampling off")] = 8,
        k: Sequence[int] = (1, 4, 8),
        temperature: Annotated[
            float, AtLeast(0, strict=True, note="sampling divides the logits by it")
        ] = 1.0,
        bootstrap_samples: Annotated[int, AtLeast(0, note="0 gives no interval")] = 1000,
        seed: int = 42,
        metric_for_best: BestMetric = "accuracy",
        best_model: BestModel = "final",
        suite: Suite | None = None,
    ):
        if issue := k_issue("eval.k", list(k), samples_per_problem, "eval.samples_per_problem"):
            raise ConfigValidationError([issue])  # what validation says, for an evaluator built in Python
        self.before_training = before_training and enabled
        self.after_training = after_training and enabled
        self.max_samples = max_samples
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self.strategies = list(strategies)
        self.tolerance = tolerance
        self.judge = judge
        self.backend = deprecated("eval.backend", backend)
        self.every_n_steps = every_n_steps if enabled else 0
        self.periodic_samples = periodic_samples
        self.samples_per_problem = samples_per_problem
        self.k = sorted({int(v) for v in k}) if samples_per_problem > 0 else []
        self.temperature = temperature
        self.bootstrap_samples = bootstrap_samples
        self.seed = seed
        self.metric_for_best = metric_for_best
        self.best_model = best_model
        # mode=eval evaluates these benchmarks (rlvr.evaluation.suite) instead of the eval split.
        self.suite = None if suite is None else Suite.of(suite)

    @classmethod
    def config_issues(cls, prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The rules between keys (:func:`rlvr.evaluation.options.eval_rules`); the annotations say the rest."""
        defaults = {n: p.default for n, p in inspect.signature(cls).parameters.items() if n != "self"}
        return eval_rules(prefix, {**defaults, **kwargs})

    def evaluate(
        self,
        model: Any,
        tokenizer: Any,
        dataset: Any,
        tag: str,
        judge: Judge | None = None,
        format_check: FormatCheck | None = None,
    ) -> dict[str, Any]:
        """The full evaluation of ``dataset`` (rows with ``prompt`` and ``answer``, first ``max_samples``):
        greedy accuracy with its CI, format/length/truncation rates, per-task breakdown, and sampled
        pass@k / maj@k when ``samples_per_problem`` > 0. ``judge`` (the reward set's :meth:`judge`)
        decides correctness when given and ``self.judge == "reward"``; ``format_check`` decides format
        compliance (default: the first of ``strategies`` finds an answer)."""
        judge = self.resolve_judge(judge)
        rows = dataset.select(range(min(len(dataset), self.max_samples or len(dataset))))
        started = time.perf_counter()
        shard = eval_shard()  # several DDP ranks: each evaluates its share (rlvr.evaluation.sharding)
        samples = shared_out(
            lambda share, positions: self.greedy_samples(
                model, tokenizer, share, judge, format_check, positions
            ),
            rows,
            shard,
        )
        sampling = self.samples_per_problem > 0 and len(rows) > 0
        per_problem = (
            shared_out(
                lambda share, positions: self.sampled_verdicts(model, tokenizer, share, judge, positions),
                rows,
                shard,
            )
            if sampling
            else []
        )
        report = {"tag": tag, "judge": judge.name}
        report.update(greedy_summary(samples, self.bootstrap_samples, self.seed))
        if sampling:
            for sample, verdicts in zip(samples, per_problem, strict=True):
                sample.update(sampled_columns(verdicts, self.k))
            n, resamples = self.samples_per_problem, self.bootstrap_samples
            report.update(sampled_summary(samples, n, self.k, resamples, self.seed))
            report["temperature"] = self.temperature
        report["seconds"] = round(time.perf_counter() - started, 2)
        report["samples"] = samples
        return report

    def greedy_samples(
        self,
        model: Any,
        tokenizer: Any,
        rows: Any,
        judge: Judge,
        format_check: FormatCheck | None = None,
        positions: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        """One record per row (see :func:`rlvr.evaluation.report.sample_record`), in row order;
        ``positions`` are the rows' places in the eval split (default 0, 1, …), for rows without an id."""
        check = format_check or self.default_format_check
        positions = list(positions) if positions is not None else list(range(len(rows)))
        samples: list[dict[str, Any]] = []
        for start in progress(range(0, len(rows), self.batch_size), f"eval ({len(rows)} problems)"):
            batch = rows.select(range(start, min(start + self.batch_size, len(rows))))
            outputs = self.generate(model, tokenizer, batch["prompt"])
            for offset, (row, (completion, length)) in enumerate(zip(batch, outputs, strict=True)):
                index = positions[start + offset]
                samples.append(
                    sample_record(index, row, completion, length, self.max_new_tokens, judge, check)
                )
        return samples

    def sampled_verdicts(
        self, model: Any, tokenizer: Any, rows: Any, judge: Judge, positions: list[int] | None = None
    ) -> list[list[tuple[str | None, bool]]]:
        """``samples_per_problem`` sampled completions per row, as (extracted answer, correct) pairs.
        ``positions`` are the rows' places in the whole evaluation (a rank's share: r, r+N, …); each
        row's draws are keyed by its place, so they are the same however the rows are shared out."""
        drawn = self.sampled_rows(model, tokenizer, rows, judge, positions)
        return [[(s["extracted"], s["correct"]) for s in samples] for samples in drawn]

    def sampled_rows(
        self, model: Any, tokenizer: Any, dataset: Any, judge: Judge | None = None, keys: Any = None
    ) -> list[list[dict[str, Any]]]:
        """Every row's ``samples_per_problem`` sampled completions, judged: ``{extracted, correct,
        completion_tokens, truncated}`` each. Row i's draws are keyed by ``keys[i]`` (default: i), so
        they do not depend on the batch or on the other rows (``mode=profile`` keys rows by their id)."""
        judge = self.resolve_judge(judge)
        keys = list(range(len(dataset))) if keys is None else list(keys)
        per_call = max(1, self.batch_size // self.samples_per_problem)
        drawn: list[list[dict[str, Any]]] = []
        for start in progress(range(0, len(dataset), per_call), f"sampled eval ({len(dataset)} problems)"):
            end = min(start + per_call, len(dataset))
            batch = dataset.select(range(start, end))
            completions = self.sample(model, tokenizer, batch["prompt"], keys[start:end])
            for row, samples in zip(batch, completions, strict=True):
                drawn.append([self._judged(text, length, row, judge) for text, length in samples])
        return drawn

    def _judged(self, text: str, length: int, row: dict[str, Any], judge: Judge) -> dict[str, Any]:
        judge = judge.for_row(row)  # several tasks: the row's own task judge reads and decides
        return {
            "extracted": judge.extract(text),
            "correct": bool(judge.is_correct(text, row)),
            "completion_tokens": int(length),
            "truncated": length >= self.max_new_tokens,
        }

    def resolve_judge(self, judge: Judge | None) -> Judge:
        """The reward set's judge under ``judge: reward`` (when there is one), else the numeric rule."""
        return judge if self.judge == "reward" and judge is not None else self.numeric_judge()

    def numeric_judge(self) -> Judge:
        """Correct = the number extracted by ``strategies`` equals the gold within ``tolerance``."""
        return Judge(
            f"numeric(strategies={self.strategies})",
            lambda completion, row: is_correct(completion, row["answer"], self.strategies, self.tolerance),
            lambda completion: extract_answer(completion, self.strategies),
        )

    def default_format_check(self, completion: str) -> bool:
        """Without a format scorer from the reward set: an answer in the first (the prompt's) format."""
        return extract_answer(completion, self.strategies[:1]) is not None

    def generate(self, model: Any, tokenizer: Any, prompts: list[Any]) -> list[tuple[str, int]]:
        """Greedy completions (text, generated token count) for one batch of prompts, left-padded."""
        settings = SamplingSettings(max_new_tokens=self.max_new_tokens, do_sample=False)
        return [group[0] for group in self._complete(model, tokenizer, prompts, settings, 1)]

    def sample(
        self, model: Any, tokenizer: Any, prompts: list[Any], positions: list[int] | None = None
    ) -> list[list[tuple[str, int]]]:
        """``samples_per_problem`` completions per prompt at ``temperature`` (no top-k/top-p). Sample j of
        the problem at place p (``positions``, default 0, 1, …) is drawn with the key (``seed``, p, j)
        (:func:`rlvr.rollout.sampling.row_key`): the same completions on any batch size, any number of
        ranks and either backend, and no use of the global RNG (training's stream is not disturbed)."""
        settings = SamplingSettings(
            max_new_tokens=self.max_new_tokens, do_sample=True, temperature=self.temperature
        )
        positions = list(range(len(prompts))) if positions is None else positions
        n = self.samples_per_problem
        keys = [row_key(self.seed, place, j) for place in positions for j in range(n)]
        return self._complete(model, tokenizer, prompts, settings, n, keys)

    def _complete(
        self,
        model: Any,
        tokenizer: Any,
        prompts: list[Any],
        settings: SamplingSettings,
        n: int,
        row_keys: list[int] | None = None,
    ) -> list[list[tuple[str, int]]]:
        """``n`` completions per prompt through the configured backend (keyed draws with ``row_keys``)."""
        texts = [render_prompt(p, tokenizer) for p in prompts for _ in range(n)]
        # auto: the engine on a CUDA GPU, as for rollouts (hf when the model carries Unsloth's vLLM engine).
        if resolve_backend(self.backend, model) == "fast":
            flat = self._generate_fast(model, tokenizer, texts, settings, row_keys)
        else:
            flat = self._generate_hf(model, tokenizer, texts, settings, row_keys)
        return [flat[i : i + n] for i in range(0, len(flat), n)]

    def _generate_hf(
        self,
        model: Any,
        tokenizer: Any,
        texts: list[str],
        settings: SamplingSettings,
        row_keys: list[int] | None = None,
    ) -> list[tuple[str, int]]:
        import torch

        inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(
            model.device
        )
        sampling: dict[str, Any] = {"do_sample": False}
        if settings.do_sample:  # keyed draws (sample() always keys them): greedy over scores + keyed noise
            from transformers import LogitsProcessorList

            if row_keys is None:
                raise ValueError("sampled evaluation needs one key per row (see GreedyAccuracy.sample)")
            sampling["logits_processor"] = LogitsProcessorList([keyed_logits_processor(row_keys, settings)])
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                output = model.generate(
                    **inputs,
                    max_new_tokens=settings.max_new_tokens,
                    use_cache=True,
                    pad_token_id=tokenizer.pad_token_id,
                    **sampling,
                )
        finally:
            model.train(was_training)
        new_tokens = output[:, inputs["input_ids"].shape[1] :]
        return [
            (tokenizer.decode(t, skip_special_tokens=True), int((t != tokenizer.pad_token_id).sum()))
            for t in new_tokens
        ]

    def _generate_fast(
        self,
        model: Any,
        tokenizer: Any,
        texts: list[str],
        settings: SamplingSettings,
        row_keys: list[int] | None = None,
    ) -> list[tuple[str, int]]:
        """The same completions through the rollout engine (the training run's inference copy when
        there is one, synced to the policy's current weights)."""
        from rlvr.rollout import engine_for

        eos = model.generation_config.eos_token_id
        eos_ids = [eos] if isinstance(eos, int) else list(eos or [tokenizer.eos_token_id])
        engine = engine_for(model, tokenizer.pad_token_id, eos_ids)
        engine.sync(model)
        ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
        outputs = engine.generate(ids, settings, row_keys=row_keys)
        pad = tokenizer.pad_token_id
        return [(tokenizer.decode(o, skip_special_tokens=True), sum(t != pad for t in o)) for o in outputs]

    def compare(self, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
        """Baseline → final (Δ, CI) per metric from two full reports on the same rows (paired bootstrap)."""
        return compare_reports(before, after, self.bootstrap_samples, self.seed)

    def callback(
        self,
        tokenizer: Any,
        dataset: Any,
        judge: Judge | None,
        observer: Observer,
        run_dir: RunDir,
        format_check: FormatCheck | None = None,
        save_best: Callable[[str], None] | None = None,
    ) -> Any | None:
        """The in-training evaluation callback (``transformers.TrainerCallback``), or None when periodic
        evaluation is off (``every_n_steps: 0``, ``enabled: false``) or there are no eval rows."""
        if self.every_n_steps <= 0 or dataset is None or len(dataset) == 0:
            return None
        from rlvr.evaluation.periodic import periodic_callback

        # A subset of the before/after rows, so those evaluations can provide the first and last points.
        cap = min(self.periodic_samples, self.max_samples or self.periodic_samples)
        rows = dataset.select(range(min(len(dataset), cap)))
        return periodic_callback(self, tokenizer, rows, judge, observer, run_dir, format_check, save_best)
