"""``train.nan_guard``: a non-finite gradient never reaches the weights.

    python run_pipeline.py train.nan_guard=skip     # default: skip that optimizer step, log it, go on
    python run_pipeline.py train.nan_guard=stop     # stop the run, naming the step
    python run_pipeline.py train.nan_guard=off      # TRL's behaviour: the update is applied

Why: with a NaN anywhere in the gradients, the global-norm clipping turns *every* gradient into NaN and
AdamW writes NaN into every weight; the next rollout then fails deep inside sampling ("probability tensor
contains either inf, nan"). A finite loss does not rule it out: a kernel's backward can return NaN at
positions outside the loss (cuDNN's attention backward at left-padded rows does, on a GPU; that cause is
guarded at its source, :mod:`rlvr.rollout.attention_mask`), and the guard is there for causes not guarded
yet. It wraps the optimizer's ``step``: when any gradient is non-finite the step is not taken (the learning-rate schedule still advances, as for a skipped step under fp16 loss
scaling), ``nan_guard/skipped_steps`` counts it in the logs, and a warning names the step.
"""

from __future__ import annotations

from typing import Any

from rlvr.console import warn
from rlvr.errors import TrainingError

POLICIES = ("skip", "stop", "off")


class NonFiniteGradientError(TrainingError):
    """Raised with ``nan_guard=stop``: the gradients of an optimizer step were not finite."""


def gradients_finite(parameters: list[Any]) -> bool:
    """Whether every gradient is finite (one host sync for all of them)."""
    import torch

    flags = [torch.isfinite(p.grad).all() for p in parameters if p.grad is not None]
    return bool(torch.stack(flags).all()) if flags else True


def nonfinite_names(named: list[tuple[str, Any]]) -> list[str]:
    """Names of the parameters with a non-finite gradient, output side first. ``named`` is in the model's
    order (input side first); backpropagation reaches the last layers first, so the first name returned is
    where the NaN/inf entered. Called only on a bad step (one host sync per tensor)."""
    import torch

    bad = [n for n, p in named if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
    return bad[::-1]


def describe(bad: list[str], total: int) -> str:
    """``3 of 120 tensors, first from the output side: model.layers.5...``: where the NaN/inf is; ``all
    120 tensors`` when every one is hit (from the loss end, or from non-finite activations at positions
    outside the loss, e.g. padding, times their zero gradients)."""
    if not bad:
        return "non-finite gradients"
    if len(bad) == total:  # no layer is clean: the order tells nothing about where it started
        return f"non-finite gradients in all {total} tensors"
    return f"non-finite gradients in {len(bad)} of {total} tensors, first from the output side: {bad[0]}"


def nan_guard_callback(policy: str) -> Any:
    """A ``TrainerCallback`` that guards the optimizer from the start of training (None for ``off``)."""
    if policy == "off":
        return None
    from transformers import TrainerCallback

    class NanGuard(TrainerCallback):
        skipped: list[int] = []

        def on_train_begin(
            self, args: Any, state: Any, control: Any, optimizer: Any = None, model: Any = None, **kwargs: Any
        ):
            if optimizer is None or getattr(optimizer, "_rlvr_guarded", False):
                return
            parameters = [p for group in optimizer.param_groups for p in group["params"]]
            ours = {id(p) for p in parameters}
            named = [(n, p) for n, p in model.named_parameters() if id(p) in ours] if model else []
            original = optimizer.step

            def guarded_step(*step_args: Any, **step_kwargs: Any) -> Any:
                if gradients_finite(parameters):
                    return original(*step_args, **step_kwargs)
                step = state.global_step + 1
                where = describe(nonfinite_names(named), len(parameters))
                if policy == "stop":
                    raise NonFiniteGradientError(
                        f"train.nan_guard=stop: optimizer step {step} has {where} (NaN/inf); the weights "
                        "are unchanged. Use train.nan_guard=skip to skip such steps."
                    )
                self.skipped.append(step)
                warn(f"optimizer step {step} skipped: {where} (train.nan_guard=skip)")
                return None

            if hasattr(original, "_wrapped_by_lr_sched"):  # keep torch's scheduler bookkeeping quiet
                guarded_step._wrapped_by_lr_sched = original._wrapped_by_lr_sched
            optimizer.step = guarded_step
            optimizer._rlvr_guarded = True

        def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any):
            if logs is not None and "loss" in logs:  # the observer's copy, and the trainer's own record
                logs["nan_guard/skipped_steps"] = len(self.skipped)
                if state.log_history and state.log_history[-1].get("step") == state.global_step:
                    state.log_history[-1]["nan_guard/skipped_steps"] = len(self.skipped)

    guard = NanGuard()
    guard.skipped = []
    return guard
