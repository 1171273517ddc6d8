"""Locate the first non-finite value of a GRPO step (forward activations, then gradients flowing back).

    python benchmarks/nan_locate.py --tokenizer <dir> --prompts <gsm8k train.jsonl> [--kind fast|trl]

Prints JSON lines: the first modules whose forward output or backward grad is non-finite, with the row and
position, and for that row the attention mask around the position (pad/prompt/completion), so the cause
can be read off.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.rollout_gpu import build_model, build_trainer, gsm8k_prompts  # noqa: E402


def main() -> None:
    import torch

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
        {"max_steps": 1, "gradient_checkpointing": options.checkpointing},  # NaN with and without
    )
    model = trainer.model
    found: list[dict] = []
    state: dict = {}

    def pre(module, args, kwargs):
        state["mask"] = kwargs.get("attention_mask")
        state["ids"] = kwargs.get("input_ids")

    model.register_forward_pre_hook(pre, with_kwargs=True)

    def as_tensor(value):
        """The tensor a module returned: itself, the first of a tuple, or a model output's main field."""
        if isinstance(value, tuple):
            value = value[0] if value else None
        for field in ("last_hidden_state", "logits", "log_probs"):
            value = getattr(value, field, value) if not isinstance(value, torch.Tensor) else value
        return value if isinstance(value, torch.Tensor) else None

    def report(kind, name, tensor):
        tensor = as_tensor(tensor)
        if tensor is None or len(found) >= 12 or not torch.is_floating_point(tensor):
            return
        if torch.isfinite(tensor).all():
            return
        bad = (~torch.isfinite(tensor)).nonzero()[0].tolist()
        row, pos = bad[0], bad[1] if len(bad) > 1 else -1
        entry = {
            "where": kind,
            "module": name,
            "count": int((~torch.isfinite(tensor)).sum()),
            "shape": list(tensor.shape),
            "row": row,
            "pos": pos,
        }
        mask = state.get("mask")
        if mask is not None and mask.dim() == 2 and pos >= 0:
            m = mask[row].tolist()
            entry |= {
                "mask_at_pos": m[pos],
                "row_len": len(m),
                "row_real_tokens": sum(m),
                "first_real": m.index(1) if 1 in m else None,
            }
        ids = state.get("ids")
        if ids is not None and pos >= 0:
            entry["token_at_pos"] = int(ids[row, pos])
        found.append(entry)
        print(json.dumps(entry), flush=True)

    peaks: list[dict] = []
    grad_peaks: list[dict] = []

    def finite(grads) -> bool:
        return all(g is None or torch.isfinite(g).all() for g in grads)

    def backward(name, grad_input, grad_output):
        """Report non-finite output grads, and name the module whose backward turns finite into non-finite."""
        if grad_output and grad_output[0] is not None:
            report("grad_output", name, grad_output[0])
        layer = name.rsplit(".", 1)[-1].isdigit() or name.endswith("input_layernorm")
        if layer and grad_output and grad_output[0] is not None and len(grad_peaks) < 200:
            g = grad_output[0].detach().float().abs().nan_to_num(float("inf"))
            flat = g.amax(dim=-1)
            row, pos = divmod(int(flat.argmax()), flat.shape[1])
            grad_peaks.append(
                {
                    "module": name,
                    "grad_absmax": float(flat.max()),
                    "row": row,
                    "pos": pos,
                    "median_row_absmax": float(flat.median()),
                }
            )
        if finite(grad_output) and not finite(grad_input):
            bad = next(g for g in grad_input if g is not None and not torch.isfinite(g).all())
            report("origin: finite grad_output, non-finite grad_input", name, bad)

    def peak(name, output):
        """Largest |activation| of a decoder layer's output in a gradient-tracking forward, and where."""
        tensor = as_tensor(output)
        if tensor is None or not torch.is_grad_enabled() or not torch.is_floating_point(tensor):
            return
        flat = tensor.detach().float().abs().nan_to_num(float("inf")).amax(dim=-1)
        row, pos = divmod(int(flat.argmax()), flat.shape[1])
        mask = state.get("mask")
        peaks.append(
            {
                "layer": name,
                "absmax": float(flat.max()),
                "row": row,
                "pos": pos,
                "mask_at_pos": int(mask[row, pos]) if mask is not None and mask.dim() == 2 else None,
                "median_row_absmax": float(flat.median()),
            }
        )

    for name, module in model.named_modules():
        if name.endswith(tuple(f"layers.{n}" for n in range(64))):
            module.register_forward_hook(lambda m, a, out, name=name: peak(name, out))
        if not name or name.count(".") > 4:
            continue
        module.register_forward_hook(lambda m, a, out, name=name: report("forward", name, out))
        if "layers." not in name and not name.endswith(("norm", "embed_tokens")):
            continue
        module.register_full_backward_hook(lambda m, gin, gout, name=name: backward(name, gin, gout))
    trainer.train()
    layers = sum(1 for n, _ in model.named_modules() if n.endswith(tuple(f"layers.{i}" for i in range(64))))
    for entry in peaks[:layers]:  # the first training forward
        print(json.dumps({"peak": entry}), flush=True)
    for entry in grad_peaks[: 2 * layers]:  # the first backward, top layer first
        print(json.dumps({"grad_peak": entry}), flush=True)
    log = next(e for e in trainer.state.log_history if "grad_norm" in e)
    print(json.dumps({"grad_norm": log["grad_norm"], "loss": log["loss"], "found": len(found)}), flush=True)


if __name__ == "__main__":
    main()
