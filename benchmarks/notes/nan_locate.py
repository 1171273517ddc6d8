"""Locate the first non-finite value of a GRPO step (forward activations, then gradients flowing back).

    python benchmarks/notes/nan_locate.py --tokenizer <dir> --prompts <gsm8k train.jsonl> [--kind fast|trl]

Runs one optimizer step of the random-init benchmark model with :class:`NanLocator` attached and prints
JSON lines: modules whose forward output or output gradient is non-finite, the module whose backward turns a
finite gradient into a non-finite one (``origin``), with row, position, token and attention mask there, and
per-layer peaks of activations and gradients. ``benchmarks/notes/nan_hunt.py`` attaches the same locator to a
whole pipeline run.

Finding (2026-11-29, H200): the random model's NaN came from the benchmark's own model: ``pad_token_id`` was
the id of ``<|im_start|>`` (the GGUF tokenizer's eos), so ``LlamaForCausalLM`` initialised that embedding row
to zero; every prompt starts with that token, whose hidden state then stays exactly 0 through every layer
(it attends only to itself), and each RMSNorm's backward at x = 0 multiplies the gradient by
1/sqrt(eps) ≈ 1000 — ×1e3 per layer until it overflows. ``rollout_gpu.build_model`` no longer does that.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def as_tensor(value: Any) -> Any:
    """The tensor a module returned: itself, the first of a tuple, or a model output's main field."""
    import torch

    if isinstance(value, tuple):
        value = value[0] if value else None
    for field in ("last_hidden_state", "logits", "log_probs"):
        value = getattr(value, field, value) if not isinstance(value, torch.Tensor) else value
    return value if isinstance(value, torch.Tensor) else None


def is_layer(name: str) -> bool:
    """``model.layers.7`` (a decoder layer) but not ``model.layers.7.mlp``."""
    head, _, tail = name.rpartition(".")
    return tail.isdigit() and head.endswith("layers")


class NanLocator:
    """Hooks on a causal LM that print where the first non-finite value of a training step appears.

    Only gradient-tracking forwards are checked (generation under ``no_grad`` is skipped). Stops reporting
    after ``limit`` entries. Per-layer activation and gradient peaks are kept for the latest micro-batch, or,
    once something was found, for the micro-batch that went non-finite.
    """

    def __init__(self, model: Any, limit: int = 12):
        self.limit = limit
        self.active = True  # hooks do nothing (and sync nothing) while False
        self.found: list[dict] = []
        self.inputs: dict[str, Any] = {}
        self.activation_peaks: list[dict] = []
        self.grad_peaks: list[dict] = []
        model.register_forward_pre_hook(self._remember_inputs, with_kwargs=True)
        for name, module in model.named_modules():
            if is_layer(name):
                module.register_forward_hook(lambda m, a, out, name=name: self._activation_peak(name, out))
            if not name or name.count(".") > 5:
                continue
            module.register_forward_hook(lambda m, a, out, name=name: self._forward(name, out))
            if "layers." in name or name.endswith(("norm", "embed_tokens")):
                module.register_full_backward_hook(lambda m, gi, go, name=name: self._backward(name, gi, go))

    def _remember_inputs(self, module: Any, args: Any, kwargs: dict) -> None:
        import torch

        if self.active and torch.is_grad_enabled():
            self.inputs = {"mask": kwargs.get("attention_mask"), "ids": kwargs.get("input_ids")}
            if not self.found:  # keep the peaks of the micro-batch that went non-finite
                self.activation_peaks.clear()
                self.grad_peaks.clear()

    def report(self, where: str, name: str, value: Any) -> None:
        import torch

        tensor = as_tensor(value)
        if not self.active or tensor is None or len(self.found) >= self.limit:
            return
        if not torch.is_floating_point(tensor):
            return
        if torch.isfinite(tensor).all():
            return
        bad = (~torch.isfinite(tensor)).nonzero()[0].tolist()
        row, pos = bad[0], bad[1] if len(bad) > 1 else -1
        entry = {
            "where": where,
            "module": name,
            "count": int((~torch.isfinite(tensor)).sum()),
            "shape": list(tensor.shape),
            "row": row,
            "pos": pos,
        }
        mask, ids = self.inputs.get("mask"), self.inputs.get("ids")
        if mask is not None and mask.dim() == 2 and pos >= 0 and pos < mask.shape[1]:
            m = mask[row].tolist()
            entry |= {
                "mask_at_pos": m[pos],
                "row_len": len(m),
                "row_real_tokens": sum(m),
                "first_real": m.index(1) if 1 in m else None,
            }
        if ids is not None and pos >= 0 and pos < ids.shape[1]:
            entry["token_at_pos"] = int(ids[row, pos])
            entry["tokens_around"] = ids[row, max(0, pos - 3) : pos + 4].tolist()
        self.found.append(entry)
        print(json.dumps(entry), flush=True)

    def _forward(self, name: str, output: Any) -> None:
        import torch

        if torch.is_grad_enabled():
            self.report("forward", name, output)

    def _backward(self, name: str, grad_input: Any, grad_output: Any) -> None:
        import torch

        def finite(grads: Any) -> bool:
            return all(g is None or bool(torch.isfinite(g).all()) for g in grads)

        if not self.active:
            return
        if is_layer(name) or name.endswith("input_layernorm"):
            g = grad_output[0] if grad_output else None
            if g is not None and len(self.grad_peaks) < 400:
                flat = g.detach().float().abs().nan_to_num(float("inf")).amax(dim=-1)
                row, pos = divmod(int(flat.argmax()), flat.shape[-1])
                self.grad_peaks.append(
                    {"module": name, "grad_absmax": float(flat.max()), "row": row, "pos": pos}
                )
        if grad_output and grad_output[0] is not None:
            self.report("grad_output", name, grad_output[0])
        if finite(grad_output) and not finite(grad_input):
            bad = next(g for g in grad_input if g is not None and not torch.isfinite(g).all())
            self.report("origin: finite grad_output, non-finite grad_input", name, bad)

    def _activation_peak(self, name: str, output: Any) -> None:
        import torch

        tensor = as_tensor(output)
        if (
            not self.active
            or tensor is None
            or not torch.is_grad_enabled()
            or len(self.activation_peaks) >= 400
        ):
            return
        flat = tensor.detach().float().abs().nan_to_num(float("inf")).amax(dim=-1)
        row, pos = divmod(int(flat.argmax()), flat.shape[1])
        self.activation_peaks.append({"layer": name, "absmax": float(flat.max()), "row": row, "pos": pos})

    def print_peaks(self) -> None:
        """Per-layer activation and gradient peaks of the micro-batch kept (see the class docstring)."""
        for entry in self.activation_peaks:
            print(json.dumps({"peak": entry}), flush=True)
        for entry in self.grad_peaks:
            print(json.dumps({"grad_peak": entry}), flush=True)


def main() -> None:
    from benchmarks.rollout_gpu import build_model, build_trainer, gsm8k_prompts

    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--kind", default="fast")
    parser.add_argument("--checkpointing", action="store_true")
    options = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "nan-locate"
    model_dir = build_model(work / "model", options.tokenizer)
    trainer = build_trainer(
        options.kind,
        model_dir,
        gsm8k_prompts(options.prompts, 512),
        work / "run",
        False,
        (64, 4, 256),
        {"max_steps": 1, "gradient_checkpointing": options.checkpointing},
    )
    locator = NanLocator(trainer.model)
    trainer.train()
    locator.print_peaks()
    log = next(e for e in trainer.state.log_history if "grad_norm" in e)
    print(
        json.dumps({"grad_norm": log["grad_norm"], "loss": log["loss"], "found": len(locator.found)}),
        flush=True,
    )


if __name__ == "__main__":
    main()
