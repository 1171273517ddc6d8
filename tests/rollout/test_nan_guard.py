"""``train.nan_guard``: a non-finite gradient never reaches the weights (CPU, tiny model, injected NaN)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.training.nan_guard import NonFiniteGradientError, describe, gradients_finite, nonfinite_names
from tests.tiny_grpo import tiny_loop, tiny_trainer


def train_with_nan_at_step(model_dir: Path, out: Path, policy: str, bad_step: int):
    """Three optimizer steps; every gradient of step ``bad_step`` gets a NaN injected."""
    import torch
    from transformers import TrainerCallback

    loop = tiny_loop(nan_guard=policy, rollout={"backend": "hf"})

    class PoisonGradients(TrainerCallback):  # runs just before the optimizer step
        def on_pre_optimizer_step(self, args, state, control, model=None, **kwargs):
            if state.global_step + 1 == bad_step:
                for param in model.parameters():
                    if param.grad is not None:
                        param.grad[..., 0] = float("nan")

    trainer = tiny_trainer(loop, model_dir, out, callbacks=[PoisonGradients()])
    snapshots = {}

    class Snapshot(TrainerCallback):
        def on_step_end(self, args, state, control, model=None, **kwargs):
            snapshots[state.global_step] = {n: p.detach().clone() for n, p in model.named_parameters()}

    trainer.add_callback(Snapshot())
    trainer.train()
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())
    return trainer, snapshots


@pytest.mark.slow
def test_skip_keeps_the_weights_and_counts_the_step(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    import torch

    trainer, snapshots = train_with_nan_at_step(tiny_model_dir, tmp_path, "skip", bad_step=2)
    assert trainer.state.global_step == 3
    assert all(torch.equal(snapshots[2][n], snapshots[1][n]) for n in snapshots[1])  # step 2 not applied
    assert any(not torch.equal(snapshots[3][n], snapshots[2][n]) for n in snapshots[2])  # step 3 was
    logs = [e for e in trainer.state.log_history if "loss" in e]
    assert [e["nan_guard/skipped_steps"] for e in logs] == [0, 1, 1]
    err = capsys.readouterr().err
    total = sum(1 for p in trainer.model.parameters() if p.requires_grad)
    # every trainable tensor was poisoned
    assert (
        f"optimizer step 2 skipped: non-finite gradients in all {total} tensors (train.nan_guard=skip)" in err
    )


@pytest.mark.slow
def test_stop_ends_the_run_naming_the_step(tiny_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(NonFiniteGradientError, match="optimizer step 2 has non-finite gradients in"):
        train_with_nan_at_step(tiny_model_dir, tmp_path, "stop", bad_step=2)


def test_gradients_finite() -> None:
    import torch

    good, bad = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))
    good.grad, bad.grad = torch.ones(3), torch.tensor([1.0, float("inf"), 0.0])
    assert gradients_finite([good]) and not gradients_finite([good, bad])
    assert gradients_finite([torch.nn.Parameter(torch.ones(2))])  # no gradient yet


def test_nonfinite_names_lists_the_output_side_first() -> None:
    import torch

    params = [torch.nn.Parameter(torch.ones(2)) for _ in range(4)]
    for p, value in zip(params, [float("nan"), 1.0, float("inf"), 1.0], strict=True):
        p.grad = torch.tensor([value, 0.0])
    bad = nonfinite_names([(f"layers.{i}", p) for i, p in enumerate(params)])
    assert bad == ["layers.2", "layers.0"]
    assert describe(bad, 4) == "non-finite gradients in 2 of 4 tensors, first from the output side: layers.2"
    assert describe([], 4) == "non-finite gradients"
    assert describe(["b", "a"], 2) == "non-finite gradients in all 2 tensors"
