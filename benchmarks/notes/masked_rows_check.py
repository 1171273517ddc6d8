"""Does an SDPA backward return NaN for query rows with every key masked (left padding)?

    python benchmarks/notes/masked_rows_check.py

The policy's training forward sees such rows at every left-padded position (see
``rlvr/rollout/attention_mask.py``). For each SDPA backend and a few sequence lengths around the one of the
issue-#12 NaN step (448 = 192 prompt + 256 completion), on the shapes of SmolLM2-135M (9 heads of 64, bf16,
64 rows, 0–110 left pads per row), runs forward + backward with the gradient zero at padded rows (they are
outside the loss) and prints, as JSON lines, the non-finite counts in the output and in dq/dk/dv — once
with the mask as transformers builds it, once with the guard's mask (empty rows unmasked).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from rlvr.rollout.attention_mask import unmask_empty_rows

    backends = {
        "default": None,
        "math": SDPBackend.MATH,
        "efficient": SDPBackend.EFFICIENT_ATTENTION,
        "cudnn": SDPBackend.CUDNN_ATTENTION,
    }
    generator = torch.Generator().manual_seed(0)
    for length in (440, 447, 448, 449, 512):
        rows, heads, dim = 64, 9, 64
        pads = torch.randint(0, 111, (rows,), generator=generator)
        real = torch.arange(length)[None, :] >= pads[:, None]  # [rows, length]
        causal = torch.ones(length, length, dtype=torch.bool).tril()
        mask = (causal[None] & real[:, None, :])[:, None].cuda()
        grad_gate = real[:, None, :, None].cuda()
        for name, backend in backends.items():
            for guarded in (False, True):
                q, k, v = (
                    torch.randn(rows, heads, length, dim, generator=generator)
                    .cuda()
                    .bfloat16()
                    .requires_grad_()
                    for _ in range(3)
                )
                used = unmask_empty_rows(mask) if guarded else mask
                row = {"length": length, "backend": name, "guarded": guarded}
                try:
                    context = (
                        sdpa_kernel([backend])
                        if backend is not None
                        else torch.autocast("cuda", enabled=False)
                    )
                    with context:
                        out = F.scaled_dot_product_attention(q, k, v, attn_mask=used)
                        (out.float() * grad_gate).sum().backward()
                    row |= {
                        "out_nonfinite": int((~torch.isfinite(out)).sum()),
                        **{
                            f"d{t}_nonfinite": int((~torch.isfinite(x.grad)).sum())
                            for t, x in zip("qkv", (q, k, v), strict=True)
                        },
                    }
                except RuntimeError as error:
                    row["error"] = str(error).splitlines()[0][:160]
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
