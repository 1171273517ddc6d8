"""On a GPU: the packed forward (varlen attention) against TRL's padded forward, same rows, same weights.

    python benchmarks/packing_check.py <model dir> [--rows 64] [--dtype bfloat16]

The CPU tests (tests/training/test_packing.py) prove the packed path equal to the padded one through
SDPA's block-diagonal mask in fp32; on CUDA ``train.packing=padding_free`` runs a different kernel
(``torch.nn.attention.varlen``), checked here: rows of random lengths (groups of 8 sharing a prompt of 20-200 tokens,
left-padded; completions 1-256 right-padded) through ``GRPOTrainer._get_per_token_logps_and_entropies`` (padded, SDPA)
and through rlvr's packed forward, in fp32 and in the training dtype. Prints one JSON line per dtype:
max and mean |Δ log-prob| and |Δ entropy| over scored tokens, and the time of each forward + backward.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rows(count: int, vocab: int, seed: int = 0, group: int = 8):
    """``count`` rows in groups of ``group`` sharing a prompt (20-200 tokens, left-padded), each with its
    own completion (1-256 tokens, right-padded): TRL's layout."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    prompts = torch.randint(20, 201, (count // group,), generator=generator).repeat_interleave(group)
    completions = torch.randint(1, 257, (count,), generator=generator)
    width_p, width_c = int(prompts.max()), int(completions.max())
    ids = torch.zeros(count, width_p + width_c, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, (p, c) in enumerate(zip(prompts.tolist(), completions.tolist(), strict=True)):
        if row % group == 0:
            prompt = torch.randint(10, vocab, (p,), generator=generator)
        ids[row, width_p - p : width_p] = prompt
        ids[row, width_p : width_p + c] = torch.randint(10, vocab, (c,), generator=generator)
        mask[row, width_p - p : width_p + c] = 1
    return ids, mask, width_c


def timed(function):
    import torch

    torch.cuda.synchronize()
    start = time.perf_counter()
    result = function()
    torch.cuda.synchronize()
    return result, time.perf_counter() - start


def check(model_dir: str, dtype: str, count: int) -> dict:
    """Padded (SDPA) against packed (varlen) log-probs, entropies and forward + backward times."""
    import torch
    from transformers import AutoModelForCausalLM
    from trl import GRPOTrainer
    from trl.trainer.utils import add_fused_lm_head

    from rlvr.training.lean_step import packed_logps_and_entropies
    from rlvr.training.varlen_attention import use_varlen_attention

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, dtype)).cuda()
    model.config._attn_implementation = "sdpa"
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    ids, mask, keep = rows(count, model.config.vocab_size)
    ids, mask = ids.cuda(), mask.cuda()
    fake = SimpleNamespace(accelerator=SimpleNamespace(autocast=nullcontext, is_main_process=True))

    def padded():
        logps, entropy, _ = GRPOTrainer._get_per_token_logps_and_entropies(
            fake, model, ids, mask, keep, compute_entropy=True
        )
        logps.sum().backward()
        return logps.detach(), entropy.detach()

    padded()  # warm-up: kernels load once
    model.zero_grad(set_to_none=True)
    (want_logps, want_entropy), padded_s = timed(padded)
    model.zero_grad(set_to_none=True)
    use_varlen_attention(model)
    scored = mask[:, -keep:].bool()
    row = {
        "dtype": dtype,
        "rows": count,
        "real_tokens": int(mask.sum()),
        "padded_tokens": int(mask.numel()),
        "padded_fwd_bwd_s": round(padded_s, 4),
    }
    for path in ("padding_free", "prefix"):

        def packed(path=path):
            logps, entropy, _ = packed_logps_and_entropies(fake, model, ids, mask, keep, True, path)
            logps.sum().backward()
            return logps.detach(), entropy.detach()

        packed()
        model.zero_grad(set_to_none=True)
        (got_logps, got_entropy), seconds = timed(packed)
        model.zero_grad(set_to_none=True)
        dl = (got_logps - want_logps)[scored].abs().float()
        de = (got_entropy - want_entropy)[scored].abs().float()
        row |= {
            f"{path}_logp_abs_diff_max": float(dl.max()),
            f"{path}_logp_abs_diff_mean": float(dl.mean()),
            f"{path}_entropy_abs_diff_max": float(de.max()),
            f"{path}_fwd_bwd_s": round(seconds, 4),
        }
    return row


def main() -> None:
    import torch

    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--rows", type=int, default=64)
    parser.add_argument("--dtype", default="bfloat16")
    options = parser.parse_args()
    for dtype in ("float32", options.dtype):
        print(json.dumps(check(options.model, dtype, options.rows)), flush=True)
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
