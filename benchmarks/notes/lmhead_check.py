"""Check TRL's fused LM-head log-prob function (``trl.kernels.ChunkedLogProbFunction``) against plain logits.

    python benchmarks/notes/lmhead_check.py [--tokens 16384] [--repeat 3]

GRPO computes per-token log-probs through this function (Triton tiles on CUDA, torch tiles elsewhere), so a
wrong or non-finite gradient here reaches every weight. On random bf16 inputs of the benchmark shape
(hidden 896, vocab 49152) it runs forward + backward under bf16 autocast, with each of its code paths, and
prints per path: max |Δ| of log-probs and of the hidden / weight gradients against an fp32 reference
(``log_softmax`` of the full logits), and whether any output is non-finite. One JSON line per path.
"""

from __future__ import annotations

import argparse
import json
from contextlib import contextmanager
from typing import Any


@contextmanager
def patched(module: Any, name: str, value: Any):
    """Set ``module.name`` for the duration of the block."""
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def reference(hidden, weight, targets, grad_out):
    """fp32 log-probs and their gradients from the full logits."""
    import torch

    h = hidden.detach().float().requires_grad_(True)
    w = weight.detach().float().requires_grad_(True)
    logps = torch.log_softmax(h @ w.t(), dim=-1).gather(1, targets[:, None])[:, 0]
    (logps * grad_out).sum().backward()
    return logps.detach(), h.grad, w.grad


def fused(hidden, weight, targets, grad_out):
    """The function as GRPO calls it: bf16 autocast, log-probs + entropy, gradient of the log-probs only."""
    import torch
    from trl.kernels import ChunkedLogProbFunction

    h = hidden.detach().clone().requires_grad_(True)
    w = weight.detach().clone().requires_grad_(True)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        logps, entropy, *_ = ChunkedLogProbFunction.apply(
            h, w, None, targets, 1.0, 32768, None, 1.0, ("log_probs", "entropy")
        )
    (logps * grad_out).sum().backward()
    return logps.detach(), entropy.detach(), h.grad, w.grad


def compare(name: str, ref, got) -> dict[str, Any]:
    import torch

    ref_logps, ref_h, ref_w = ref
    logps, entropy, grad_h, grad_w = got
    finite = {
        "logps": bool(torch.isfinite(logps).all()),
        "entropy": bool(torch.isfinite(entropy).all()),
        "grad_hidden": bool(torch.isfinite(grad_h).all()),
        "grad_weight": bool(torch.isfinite(grad_w).all()),
    }

    def err(a, b):
        return float((a.float() - b.float()).abs().nan_to_num(float("inf")).max())

    return {
        "path": name,
        "finite": finite,
        "nonfinite_grad_hidden_rows": int((~torch.isfinite(grad_h)).any(dim=1).sum()),
        "max_err_logps": err(logps, ref_logps),
        "max_err_grad_hidden": err(grad_h, ref_h),
        "max_err_grad_weight": err(grad_w, ref_w),
        "ref_grad_weight_absmax": float(ref_w.abs().max()),
    }


def main() -> None:
    import torch
    import trl.kernels.chunked_logprob as kernels

    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=16384)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(json.dumps({"torch": torch.__version__, "mm_out_dtype": kernels._MM_OUT_DTYPE}), flush=True)
    for seed in range(options.repeat):
        torch.manual_seed(seed)
        n, hidden_size, vocab = options.tokens, 896, 49152
        hidden = (torch.randn(n, hidden_size, device="cuda") * 2).to(torch.bfloat16).float()
        weight = (torch.randn(vocab, hidden_size, device="cuda") * 0.02).to(torch.bfloat16).float()
        targets = torch.randint(0, vocab, (n,), device="cuda")
        grad_out = torch.randn(n, device="cuda") / n
        ref = reference(hidden, weight, targets, grad_out)
        paths = {
            "triton+addmm_out_dtype": {},
            "triton+addmm_fp32_copy": {"_MM_OUT_DTYPE": False},
            "torch_tiles+addmm_out_dtype": {"_use_triton": lambda device: False},
            "torch_tiles+addmm_fp32_copy": {"_use_triton": lambda device: False, "_MM_OUT_DTYPE": False},
        }
        for name, patches in paths.items():
            with _patches(kernels, patches):
                result = compare(name, ref, fused(hidden, weight, targets, grad_out))
            print(json.dumps({"seed": seed, **result}), flush=True)


@contextmanager
def _patches(module: Any, values: dict[str, Any]):
    if not values:
        yield
        return
    name, value = next(iter(values.items()))
    rest = {k: v for k, v in values.items() if k != name}
    with patched(module, name, value), _patches(module, rest):
        yield


if __name__ == "__main__":
    main()
