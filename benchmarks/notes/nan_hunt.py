"""A whole pipeline run with :class:`benchmarks.notes.nan_locate.NanLocator` attached to the policy.

    NAN_HUNT_FROM_STEP=17 NAN_HUNT_DUMP=<dir> python benchmarks/notes/nan_hunt.py <run_pipeline.py overrides ...>

Same command line as ``run_pipeline.py``; the trainer the training-loop component builds gets the locator's
hooks, so the first non-finite value of any step is printed as JSON lines (module, row, position, token,
mask), then the per-layer peaks of that micro-batch at the end. For NaNs that only appear after many
steps of a real model (the step-17 NaN of the bf16 GSM8K run), where a one-step probe cannot reach.

``NAN_HUNT_FROM_STEP`` (default 1): the hooks stay idle before that optimizer step, so the steps before it
run at normal speed (active hooks cost a host sync per module per micro-batch: timing figures from such a
run mean nothing). After every active micro-batch the gradients are checked; at the first one that turns
them non-finite the hunt replays that micro-batch under variants (as run, eager attention, no gradient
checkpointing, the LM head in fp32, and with the backbone's output at padded positions zeroed) and
prints, for each, the loss and how many gradient tensors are non-finite; with ``NAN_HUNT_DUMP`` set it
also saves the micro-batch (``batch.pt``) and the trainable weights (``weights-<i>.pt``, two files) there
for a replay elsewhere. Then the process exits (status 3): what follows that step is not the question.
``NAN_HUNT_FORCE=1`` treats the first active micro-batch as bad, to rehearse all of that on a CPU.
With gradient checkpointing on (the default) the hooks can trip torch's recomputation check
(``CheckpointError``: a different number of tensors saved) once they start reporting, as on the H200 run of
2026-11-29; add ``train.gradient_checkpointing=false`` when memory allows.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from benchmarks.notes.nan_locate import NanLocator
    from rlvr.training.grpo import GRPOTrainingLoop

    from_step = int(os.environ.get("NAN_HUNT_FROM_STEP", "1"))
    dump = os.environ.get("NAN_HUNT_DUMP")
    build = GRPOTrainingLoop.build_trainer
    locators: list[NanLocator] = []

    def build_with_locator(self: Any, *args: Any, **kwargs: Any) -> Any:
        trainer = build(self, *args, **kwargs)
        locator = NanLocator(trainer.model)
        locator.active = from_step <= 1
        locators.append(locator)
        watch(trainer, locator, from_step, dump)
        return trainer

    GRPOTrainingLoop.build_trainer = build_with_locator
    sys.argv = [str(ROOT / "run_pipeline.py"), *sys.argv[1:]]
    try:
        runpy.run_path(str(ROOT / "run_pipeline.py"), run_name="__main__")
    finally:
        report_locators(locators)


def report_locators(locators: list[Any]) -> None:
    for locator in locators:
        if locator.found:
            locator.print_peaks()
        print(f"nan_hunt: {len(locator.found)} non-finite reports", flush=True)


def watch(trainer: Any, locator: Any, from_step: int, dump: str | None) -> None:
    """Turn the locator on from ``from_step``; after each active micro-batch, check the gradients and, at
    the first non-finite one, replay the micro-batch under variants, dump it, and exit."""
    import torch
    from transformers import TrainerCallback

    class Activate(TrainerCallback):
        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            locator.active = state.global_step + 1 >= from_step

    trainer.add_callback(Activate())
    compute_loss, training_step = trainer.compute_loss, trainer.training_step
    last: dict[str, Any] = {}

    def remembering_compute_loss(model: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        last["inputs"] = inputs
        return compute_loss(model, inputs, *args, **kwargs)

    def checking_training_step(model: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        output = training_step(model, inputs, *args, **kwargs)
        if locator.active:
            trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
            bad = [n for n, p in trainable if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
            if bad or os.environ.get("NAN_HUNT_FORCE"):  # FORCE: rehearse the replay on a healthy run
                step = trainer.state.global_step + 1
                print(
                    json.dumps(
                        {
                            "nonfinite_grads_after_micro_batch": len(bad),
                            "of": len(trainable),
                            "optimizer_step": step,
                            "loss": float(output),
                        }
                    ),
                    flush=True,
                )
                batch = last["inputs"]
                describe_batch(trainer, model, batch)
                if dump:
                    save_dump(Path(dump), batch, trainable, locator)
                replay(trainer, model, batch)
                report_locators([locator])
                os._exit(3)
        return output

    trainer.compute_loss = remembering_compute_loss
    trainer.training_step = checking_training_step


def describe_batch(trainer: Any, model: Any, batch: dict) -> None:
    """Shape of the micro-batch, its padding, and where the per-token log-probs are extreme."""
    import torch

    prompt_mask, completion_mask = batch["prompt_mask"], batch["completion_mask"]
    info = {
        "prompt_shape": list(batch["prompt_ids"].shape),
        "completion_shape": list(batch["completion_ids"].shape),
        "left_pads_max": int((prompt_mask == 0).sum(dim=1).max()),
        "completion_tokens": completion_mask.sum(dim=1).tolist(),
        "advantages": [round(a, 4) for a in batch["advantages"].float().flatten().tolist()],
    }
    with torch.no_grad():
        ids = torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1)
        mask = torch.cat([prompt_mask, completion_mask], dim=1)
        logps, entropies, _ = trainer._get_per_token_logps_and_entropies(
            model, ids, mask, batch["completion_ids"].size(1), compute_entropy=True
        )
        valid = completion_mask.bool()
        info |= {
            "logp_min": float(logps[valid].min()),
            "logp_nonfinite": int((~torch.isfinite(logps[valid])).sum()),
            "entropy_max": float(entropies[valid].max()) if entropies is not None else None,
        }
        hidden = backbone_output(model, ids, mask)
        pad = mask == 0
        info |= {
            "hidden_nonfinite_at_pad": int((~torch.isfinite(hidden[pad])).sum()),
            "hidden_nonfinite_at_real": int((~torch.isfinite(hidden[~pad])).sum()),
            "hidden_absmax_at_pad": float(hidden[pad].float().abs().nan_to_num(float("inf")).max())
            if bool(pad.any())
            else 0.0,
            "hidden_absmax_at_real": float(hidden[~pad].float().abs().nan_to_num(float("inf")).max()),
        }
    print(json.dumps({"batch": info}), flush=True)


def backbone_output(model: Any, ids: Any, mask: Any) -> Any:
    """The last hidden state of the transformer body (under the trainer's autocast)."""
    import torch

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=ids.is_cuda):
        return base.model(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state


def save_dump(folder: Path, batch: dict, trainable: list, locator: Any) -> None:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    torch.save(
        {k: v.detach().cpu() if hasattr(v, "detach") else v for k, v in batch.items()}, folder / "batch.pt"
    )
    half = len(trainable) // 2
    for index, part in enumerate((trainable[:half], trainable[half:])):
        torch.save({n: p.detach().float().cpu() for n, p in part}, folder / f"weights-{index}.pt")
    (folder / "found.json").write_text(json.dumps(locator.found, indent=1))
    print(f"nan_hunt: micro-batch and weights saved under {folder}", flush=True)


def replay(trainer: Any, model: Any, batch: dict) -> None:
    """Forward + backward of the micro-batch again under variants; prints loss and non-finite gradients."""
    import contextlib

    import torch

    base = model.get_base_model() if hasattr(model, "get_base_model") else model

    @contextlib.contextmanager
    def eager_attention():
        previous = base.config._attn_implementation
        base.set_attn_implementation("eager")
        try:
            yield
        finally:
            base.set_attn_implementation(previous)

    @contextlib.contextmanager
    def no_checkpointing():
        model.gradient_checkpointing_disable() if hasattr(model, "gradient_checkpointing_disable") else None
        base.gradient_checkpointing_disable()
        try:
            yield
        finally:
            base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})

    @contextlib.contextmanager
    def zero_pad_hidden():
        """Zero the backbone output at padded positions (they never reach the loss)."""
        mask = torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1)

        def hook(module: Any, args: Any, output: Any) -> Any:
            output.last_hidden_state = output.last_hidden_state.masked_fill(~mask.bool()[..., None], 0.0)
            return output

        handle = base.model.register_forward_hook(hook)
        try:
            yield
        finally:
            handle.remove()

    @contextlib.contextmanager
    def lm_head_all_positions():
        from trl.trainer import utils as trl_utils

        original = trl_utils._use_triton
        trl_utils._use_triton = lambda device: False  # torch tiles, every position scored
        try:
            yield
        finally:
            trl_utils._use_triton = original

    variants = {
        "as_run": contextlib.nullcontext,
        "again_as_run": contextlib.nullcontext,
        "eager_attention": eager_attention,
        "no_gradient_checkpointing": no_checkpointing,
        "zero_hidden_at_pad": zero_pad_hidden,
        "lm_head_all_positions": lm_head_all_positions,
    }
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    for name, variant in variants.items():
        model.zero_grad(set_to_none=True)
        try:
            with variant(), trainer.compute_loss_context_manager():
                loss = trainer.compute_loss(model, batch)
            trainer.accelerator.backward(loss)
            bad = [n for n, p in trainable if p.grad is not None and not bool(torch.isfinite(p.grad).all())]
            row = {
                "variant": name,
                "loss": float(loss.detach()),
                "nonfinite_grads": len(bad),
                "of": len(trainable),
            }
            if bad:
                row["first_from_output_side"] = bad[-1]
        except Exception as error:  # a variant that cannot run says why; the others still run
            row = {"variant": name, "error": f"{type(error).__name__}: {error}"[:300]}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
