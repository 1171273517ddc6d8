"""The training step without waste, as a mixin over ``GRPOTrainer``'s own methods.

TRL computes the loss (``_compute_loss``) exactly as it always does; this mixin changes only what reaches
it and how the policy forward is run:

* ``_prepare_inputs``: each micro-batch TRL hands out is trimmed to its own longest prompt and
  completion (``train.packing`` other than ``off``).
* ``compute_loss``: with ``train.micro_batch_tokens``, a micro-batch is regrouped by tokens and each
  group runs forward + backward on its own (all but the last backward here, the last by the Trainer).
* ``_get_per_token_logps_and_entropies``: with ``train.packing=padding_free`` the rows are packed into
  one sequence of real tokens and fed to TRL's fused log-prob head with pre-shifted labels.

It also measures the waste it removes. Per optimizer step: ``train/tokens_forwarded`` (tokens the policy
forward saw), ``train/real_tokens`` (prompt + completion tokens of the rows), ``train/pad_fraction``,
``train/prompt_repeat_fraction`` (forwarded tokens that repeat a prompt already in the generation batch),
``train/fwd_bwd_seconds`` and, on a GPU whose peak TRL knows, ``train/mfu`` (% of peak, from real tokens
and TRL's FLOPs-per-token formula).
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import nullcontext
from typing import Any

import torch

from rlvr.training import packing, prefix
from rlvr.training.varlen_attention import NAME as VARLEN
from rlvr.training.varlen_attention import PACKED

#: The paths whose policy forward is rlvr's packed one (the others call TRL's own).
PACKED_PATHS = ("padding_free", "prefix")


class LeanStepMixin:
    """Mix in before ``GRPOTrainer``; set :attr:`_packing` (resolved: off | trim | padding_free) and
    :attr:`_micro_batch_tokens` on the class."""

    _packing: str = "trim"
    _micro_batch_tokens: int | None = None

    # ---- what reaches the loss -------------------------------------------------------------------------
    def _prepare_inputs(self, generation_batch: Any) -> dict[str, Any]:
        if not self.model.training:
            return super()._prepare_inputs(generation_batch)
        self._sync_cuda()
        started = time.perf_counter()
        buffered = self._buffered_inputs
        inputs = super()._prepare_inputs(generation_batch)
        if self._packing == "prefix" and self._buffered_inputs is not buffered:  # a new batch was split
            self._buffered_inputs = packing.regroup_by_prompt(self._buffered_inputs)
            inputs = self._buffered_inputs[self._step % self.args.steps_per_generation]
        self._sync_cuda()
        self._lean_prepare_seconds = (
            getattr(self, "_lean_prepare_seconds", 0.0) + time.perf_counter() - started
        )
        return inputs if self._packing == "off" else packing.trim_micro_batch(inputs)

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        output = super()._generate_and_score_completions(inputs)
        if self.model.training and "prompt_ids" in output and "prompt_mask" in output:
            self._lean_unique_prompt_share = unique_prompt_share(output["prompt_ids"], output["prompt_mask"])
        return output

    def compute_loss(
        self, model: Any, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch: Any = None
    ) -> Any:
        if not self.model.training:
            return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        chunks = [inputs]
        if self._micro_batch_tokens:
            chunks = packing.token_budget_chunks(inputs, self._micro_batch_tokens, self._packing)
            if self._packing != "off":
                chunks = [packing.trim_micro_batch(chunk) for chunk in chunks]
        for chunk in chunks:
            self._account(chunk)
        earlier = None
        for chunk in chunks[:-1]:  # backward now, so only one chunk's activations are alive at a time
            with (
                self.accelerator.no_sync(self.model_wrapped)
                if self.accelerator.num_processes > 1
                else nullcontext()
            ):
                loss = super().compute_loss(model, chunk, return_outputs, num_items_in_batch)
                self.accelerator.backward(self._scale_like_trainer(loss, num_items_in_batch))
            earlier = loss.detach() if earlier is None else earlier + loss.detach()
        loss = super().compute_loss(model, chunks[-1], return_outputs, num_items_in_batch)
        # The Trainer logs what it back-propagates: add the earlier chunks' losses as a constant.
        return loss if earlier is None else loss + earlier

    def _scale_like_trainer(self, loss: torch.Tensor, num_items_in_batch: Any) -> torch.Tensor:
        """The scaling ``Trainer.training_step`` applies before its backward, for our extra backwards."""
        if self.args.n_gpu > 1:
            loss = loss.mean()
        if (
            not self.model_accepts_loss_kwargs or num_items_in_batch is None
        ) and self.compute_loss_func is None:
            loss = loss / self.current_gradient_accumulation_steps
        return loss

    # ---- the packed forward ----------------------------------------------------------------------------
    def _get_per_token_logps_and_entropies(
        self,
        model: Any,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        logits_to_keep: int,
        batch_size: int | None = None,
        compute_entropy: bool = False,
        compute_aux_loss: bool = False,
        **extra: Any,
    ) -> Any:
        if (
            self._packing not in PACKED_PATHS
            or compute_aux_loss
            or any(v is not None for v in extra.values())
        ):
            return super()._get_per_token_logps_and_entropies(
                model,
                input_ids,
                attention_mask,
                logits_to_keep,
                batch_size,
                compute_entropy,
                compute_aux_loss,
                **extra,
            )
        return packed_logps_and_entropies(
            self, model, input_ids, attention_mask, logits_to_keep, compute_entropy, self._packing, batch_size
        )

    # ---- accounting ------------------------------------------------------------------------------------
    def training_step(self, model: Any, inputs: Any, num_items_in_batch: Any = None) -> torch.Tensor:
        self._sync_cuda()
        started = time.perf_counter()
        self._lean_prepare_seconds = 0.0
        loss = super().training_step(model, inputs, num_items_in_batch)
        self._sync_cuda()
        counts = self._lean_counts()
        counts["seconds"] += time.perf_counter() - started - self._lean_prepare_seconds
        if self._step % self.current_gradient_accumulation_steps == 0:  # TRL counts micro-steps in _step
            self._log_step_tokens(counts)
        return loss

    def _lean_counts(self) -> dict[str, float]:
        if not hasattr(self, "_lean_step_counts"):
            self._lean_step_counts = defaultdict(float)
        return self._lean_step_counts

    def _account(self, inputs: dict[str, Any]) -> None:
        if not all(key in inputs for key in (*packing.PROMPT_KEYS, "completion_ids", "completion_mask")):
            return  # a trainer subclass (Unsloth's) with its own batch layout: nothing to count
        prompt_real = float(inputs["prompt_mask"].sum())
        completion_real = float(inputs["completion_mask"].sum())
        rows = inputs["prompt_ids"].size(0)
        width = inputs["prompt_ids"].size(1) + inputs["completion_ids"].size(1)
        if self._packing == "padding_free":
            forwarded, pad = prompt_real + completion_real, 0.0
        elif self._packing == "prefix":
            forwarded, pad = (
                prefix.forwarded_tokens(
                    inputs["prompt_ids"], inputs["prompt_mask"], inputs["completion_mask"]
                ),
                0.0,
            )
        else:
            forwarded = float(rows * width)
            pad = forwarded - prompt_real - completion_real
        # Prompt tokens forwarded beyond each distinct prompt of the generation batch once.
        unique = prompt_real * getattr(self, "_lean_unique_prompt_share", 1.0)
        counts = self._lean_counts()
        counts["forwarded"] += forwarded
        counts["real"] += prompt_real + completion_real
        counts["pad"] += pad
        counts["repeated"] += max(forwarded - pad - completion_real - unique, 0.0)
        counts["rows"] += rows

    def _log_step_tokens(self, counts: dict[str, float]) -> None:
        metrics = self._metrics["train"]
        forwarded = max(counts["forwarded"], 1.0)
        metrics["train/tokens_forwarded"].append(counts["forwarded"])
        metrics["train/real_tokens"].append(counts["real"])
        metrics["train/pad_fraction"].append(counts["pad"] / forwarded)
        metrics["train/prompt_repeat_fraction"].append(counts["repeated"] / forwarded)
        metrics["train/fwd_bwd_seconds"].append(counts["seconds"])
        mfu = self._mfu(counts)
        if mfu is not None:
            metrics["train/mfu"].append(mfu)
        counts.clear()

    def _mfu(self, counts: dict[str, float]) -> float | None:
        """% of the GPU's dense peak: TRL's training FLOPs per token (at the mean row length) x real
        tokens per second of forward + backward. None off CUDA or where TRL does not know the peak."""
        if not torch.cuda.is_available() or counts["seconds"] <= 0 or not counts["rows"]:
            return None
        if not hasattr(self, "_lean_peak"):
            try:
                from trl.trainer.utils import compute_flops_per_token, get_peak_flops_per_device
            except ImportError:  # trl < 1.16
                self._lean_peak = None
            else:
                dtype = "bfloat16" if self.args.bf16 else "float16" if self.args.fp16 else "float32"
                self._lean_peak = (
                    get_peak_flops_per_device(self.accelerator, dtype),
                    compute_flops_per_token,
                )
        if not self._lean_peak or self._lean_peak[0] is None:
            return None
        peak, flops_per_token = self._lean_peak
        config = self.accelerator.unwrap_model(self.model).config
        mean_row = max(int(counts["real"] / counts["rows"]), 1)
        return 100.0 * flops_per_token(config, mean_row) * counts["real"] / counts["seconds"] / peak

    def _sync_cuda(self) -> None:
        if torch.cuda.is_available():
            torch.cuda.synchronize()


def unique_prompt_share(prompt_ids: torch.Tensor, prompt_mask: torch.Tensor) -> float:
    """Unique prompt tokens / all prompt tokens of a generation batch (rows of a GRPO group share one)."""
    total = float(prompt_mask.sum())
    if total == 0:
        return 1.0
    keyed = prompt_ids.masked_fill(prompt_mask == 0, -1)
    unique, first = _first_of_each(keyed)
    return float(prompt_mask[first].sum()) / total if unique else 1.0


def _first_of_each(rows: torch.Tensor) -> tuple[int, torch.Tensor]:
    _, inverse = torch.unique(rows, dim=0, return_inverse=True)
    count = int(inverse.max()) + 1 if inverse.numel() else 0
    first = torch.full((count,), rows.size(0), dtype=torch.long, device=rows.device)
    first.scatter_reduce_(0, inverse, torch.arange(rows.size(0), device=rows.device), reduce="amin")
    return count, first


def packed_logps_and_entropies(
    trainer: Any,
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    logits_to_keep: int,
    compute_entropy: bool,
    path: str = "padding_free",
    batch_size: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor | None, None]:
    """TRL's ``_get_per_token_logps_and_entropies`` on packed rows (``padding_free``: every row's real
    tokens; ``prefix``: each distinct prompt once, :mod:`rlvr.training.prefix`): one model call per
    ``batch_size`` rows, TRL's fused head scoring pre-shifted labels, results back in TRL's layout."""
    rows = input_ids.size(0)
    step = batch_size or rows
    parts = [
        _packed_forward(
            trainer, model, input_ids[i : i + step], attention_mask[i : i + step], logits_to_keep, path
        )
        for i in range(0, rows, step)
    ]
    logps = torch.cat([p[0] for p in parts])
    entropies = torch.cat([p[1] for p in parts]) if compute_entropy else None
    return logps, entropies, None


def _packed_forward(
    trainer: Any,
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    logits_to_keep: int,
    path: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    if path == "prefix":
        layout = prefix.prefix_layout(input_ids, attention_mask, logits_to_keep)
        tokens, positions, labels = layout.input_ids, layout.position_ids, layout.shift_labels
        kwargs: dict[str, Any] = {"rlvr_layout": layout}

        def unpack(values: torch.Tensor) -> torch.Tensor:
            return prefix.unpack_prefix(layout, values)
    else:
        packed = packing.pack_rows(input_ids, attention_mask, logits_to_keep)
        tokens, positions, labels = packed.input_ids, packed.position_ids, packed.shift_labels
        kwargs = {}
        if _attention_name(model) == VARLEN:
            cu = packed.cu_seqlens
            kwargs = {
                "cu_seq_lens_q": cu,
                "cu_seq_lens_k": cu,
                "max_length_q": packed.max_length,
                "max_length_k": packed.max_length,
            }

        def unpack(values: torch.Tensor) -> torch.Tensor:
            return packing.unpack_per_token(packed, values)

    token = PACKED.set(True)
    try:
        with trainer.accelerator.autocast():
            outputs = model(
                input_ids=tokens, position_ids=positions, shift_labels=labels, fused_lm_head=True, **kwargs
            )
    finally:
        PACKED.reset(token)
    return unpack(outputs.log_probs), unpack(outputs.entropy)


def _attention_name(model: Any) -> str | None:
    base = model
    while hasattr(base, "module") and not hasattr(base, "config"):
        base = base.module
    config = getattr(base, "config", None)
    return getattr(config, "_attn_implementation", None)
