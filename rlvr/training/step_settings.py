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

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

from rlvr.config.errors import ConfigIssue

Packing = Literal["auto", "off", "trim", "padding_free", "prefix"]
PACKING: tuple[str, ...] = get_args(Packing)
#: Loss types whose normaliser spans the whole generation batch (TRL 1.16 ``_compute_loss``).
GLOBAL_NORMALISER_LOSSES = ("dapo", "cispo", "vespo")
CHECKPOINTING = (True, False, "auto")


@dataclass(frozen=True)
class DynamicSampling:
    """``train.dynamic_sampling``: DAPO's dynamic sampling (:mod:`rlvr.training.dynamic_sampling`)."""

    #: Drop groups whose rewards do not spread and refill the batch with new prompts.
    enabled: bool = False
    #: The reward whose spread decides: null = the weighted total TRL's advantages come from, or the
    #: name of one reward function (e.g. the correctness reward: all right or all wrong is dropped).
    reward: str | None = None
    #: A group is uninformative when the standard deviation of its rewards is at most this.
    min_std: float = 0.0
    #: Extra generation rounds per step at most; then the step trains on the informative groups it has.
    max_rounds: int = 3


DEFAULT_DYNAMIC_SAMPLING = asdict(DynamicSampling())


def step_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    """Problems in ``packing``, ``micro_batch_tokens``, ``gradient_checkpointing`` and
    ``dynamic_sampling``, each with its fix."""
    issues: list[ConfigIssue] = []
    packing = kwargs.get("packing", "auto")
    if packing not in PACKING:
        issues.append(
            ConfigIssue(
                f"{prefix}.packing", packing, f"not one of {', '.join(PACKING)}", f"use {prefix}.packing=auto"
            )
        )
    checkpointing = kwargs.get("gradient_checkpointing", True)
    if (
        checkpointing not in CHECKPOINTING
        or isinstance(checkpointing, int)
        and not isinstance(checkpointing, bool)
    ):
        issues.append(
            ConfigIssue(
                f"{prefix}.gradient_checkpointing",
                checkpointing,
                "must be true, false or auto (off when the activations fit in GPU memory)",
                f"set {prefix}.gradient_checkpointing=auto",
            )
        )
    issues += _micro_batch_tokens_issues(prefix, kwargs)
    issues += _dynamic_sampling_issues(f"{prefix}.dynamic_sampling", kwargs.get("dynamic_sampling"))
    return issues


def _micro_batch_tokens_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
    budget = kwargs.get("micro_batch_tokens")
    if budget is None:
        return []
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        return [
            ConfigIssue(
                f"{prefix}.micro_batch_tokens",
                budget,
                "must be a positive number of tokens, or null for TRL's fixed row count",
                f"e.g. {prefix}.micro_batch_tokens=65536",
            )
        ]
    loss = kwargs.get("loss_type", "dapo")
    if loss not in GLOBAL_NORMALISER_LOSSES:
        return [
            ConfigIssue(
                f"{prefix}.micro_batch_tokens",
                budget,
                f"loss_type={loss} normalises each micro-batch on its own, so grouping rows by tokens would "
                "change how much each row weighs in the gradient",
                f"use {prefix}.loss_type=dapo (or cispo, vespo: normalised over the whole batch), or set "
                f"{prefix}.micro_batch_tokens=null",
            )
        ]
    return []


def _dynamic_sampling_issues(prefix: str, node: Any) -> list[ConfigIssue]:
    if node is None:
        return []
    if not isinstance(node, dict):
        return [ConfigIssue(prefix, node, "must be a mapping", f"e.g. {prefix}.enabled=true")]
    known = [f.name for f in fields(DynamicSampling)]
    issues = [
        ConfigIssue(f"{prefix}.{key}", node[key], "unknown dynamic_sampling key", f"use {', '.join(known)}")
        for key in sorted(set(node) - set(known))
    ]
    settings = {**DEFAULT_DYNAMIC_SAMPLING, **node}
    if not isinstance(settings["enabled"], bool):
        issues.append(
            ConfigIssue(
                f"{prefix}.enabled", settings["enabled"], "must be true or false", f"{prefix}.enabled=true"
            )
        )
    if settings["reward"] is not None and not isinstance(settings["reward"], str):
        issues.append(
            ConfigIssue(
                f"{prefix}.reward",
                settings["reward"],
                "must be null (the weighted total) or a reward function's name",
                f"e.g. {prefix}.reward=null",
            )
        )
    std = settings["min_std"]
    if isinstance(std, bool) or not isinstance(std, (int, float)) or std < 0:
        issues.append(
            ConfigIssue(f"{prefix}.min_std", std, "must be a number >= 0", f"e.g. {prefix}.min_std=0.0")
        )
    rounds = settings["max_rounds"]
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
        issues.append(
            ConfigIssue(
                f"{prefix}.max_rounds",
                rounds,
                "must be a whole number of extra generation rounds (0 = drop without refilling)",
                f"e.g. {prefix}.max_rounds=3",
            )
        )
    return issues
