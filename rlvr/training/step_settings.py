"""The training-step keys of the ``train`` node that are rlvr's own, typed and checked before torch loads.

    python run_pipeline.py train.packing=padding_free                  # forward real tokens only
    python run_pipeline.py train.loss_type=dapo train.micro_batch_tokens=65536
    python run_pipeline.py train.dynamic_sampling.enabled=true         # train only on groups that teach

``packing`` says which tokens the policy forward sees (:mod:`rlvr.training.packing`):

* ``off`` — TRL's step as it is: every micro-batch padded to the generation batch's longest prompt and
  completion, every row forwarding its own copy of the prompt.
* ``trim`` — the all-pad columns of each micro-batch dropped (left of its longest prompt, right of its
  longest completion); the same model call otherwise.
* ``padding_free`` — the rows of a micro-batch packed into one sequence of real tokens, position ids
  restarting per row, attention kept inside each row (varlen attention on CUDA, a block-diagonal mask
  through SDPA elsewhere).
* ``prefix`` — packed like ``padding_free``, and the rows of a micro-batch that share a prompt (a GRPO
  group) forward it once (:mod:`rlvr.training.prefix`); TRL's micro-batches are re-split so a group's
  rows sit together.
* ``auto`` — ``prefix`` where varlen attention runs (CUDA), ``trim`` elsewhere.

``micro_batch_tokens`` groups rows into micro-batches by token count instead of a fixed row count. It is
only offered where TRL's loss normalises over the whole generation batch (``dapo``, ``cispo``,
``vespo``): there the gradient does not depend on how rows are grouped. The per-micro-batch
normalisers (``grpo``, ``bnpo``, ``dr_grpo``, ``sapo``, ``luspo``) would weight rows differently.

``gradient_checkpointing: auto`` keeps activations when the memory estimate says they fit on the GPU
(recomputing them costs about a third of the step) and recomputes them otherwise; off on a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from rlvr.config.errors import ConfigIssue
from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast

Packing = Literal["auto", "off", "trim", "padding_free", "prefix"]
PACKING: tuple[str, ...] = get_args(Packing)
#: ``train.micro_batch_tokens``: a positive number of tokens, or null for TRL's fixed row count.
MicroBatchTokens = Annotated[int, AtLeast(1)] | None
#: Loss types whose normaliser spans the whole generation batch (TRL 1.16 ``_compute_loss``).
GLOBAL_NORMALISER_LOSSES = ("dapo", "cispo", "vespo")


@dataclass(frozen=True)
class DynamicSampling(Settings):
    """``train.dynamic_sampling``: DAPO's dynamic sampling (:mod:`rlvr.training.dynamic_sampling`)."""

    #: Drop groups whose rewards do not spread and refill the batch with new prompts.
    enabled: bool = False
    #: The reward whose spread decides: null = the weighted total TRL's advantages come from, or the
    #: name of one reward function (e.g. the correctness reward: all right or all wrong is dropped).
    reward: str | None = None
    #: A group is uninformative when the standard deviation of its rewards is at most this.
    min_std: Annotated[float, AtLeast(0)] = 0.0
    #: Extra generation rounds per step at most; then the step trains on the informative groups it has.
    max_rounds: Annotated[int, AtLeast(0, note="0 = drop without refilling")] = 3


def step_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """The cross-key rules of the training step: ``gradient_checkpointing`` (a GRPOConfig field that
    also takes ``auto``) and ``micro_batch_tokens`` against ``loss_type``. The keys' types, choices and
    bounds are their annotations (:class:`rlvr.training.grpo.GRPOTrainingLoop`)."""
    issues: list[ConfigIssue] = []
    checkpointing = kwargs.get("gradient_checkpointing", "auto")
    if checkpointing != "auto" and not isinstance(checkpointing, bool):
        issues.append(
            ConfigIssue(
                f"{prefix}.gradient_checkpointing",
                checkpointing,
                "must be true, false or auto (off when the activations fit in GPU memory)",
                f"set {prefix}.gradient_checkpointing=auto",
            )
        )
    budget, loss = kwargs.get("micro_batch_tokens"), kwargs.get("loss_type", "dapo")
    if isinstance(budget, int) and not isinstance(budget, bool) and loss not in GLOBAL_NORMALISER_LOSSES:
        issues.append(
            ConfigIssue(
                f"{prefix}.micro_batch_tokens",
                budget,
                f"loss_type={loss} normalises each micro-batch on its own, so grouping rows by tokens would "
                "change how much each row weighs in the gradient",
                f"use {prefix}.loss_type=dapo (or cispo, vespo: normalised over the whole batch), or set "
                f"{prefix}.micro_batch_tokens=null",
            )
        )
    return issues
