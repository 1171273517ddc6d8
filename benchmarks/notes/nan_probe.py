"""Probe for the NaN gradient seen in bf16 GRPO runs: one optimizer step per setting, reporting grad_norm
and which parameters got non-finite gradients (the first layers named tell where it starts).

    python benchmarks/notes/nan_probe.py --tokenizer <dir> --prompts <gsm8k train.jsonl>
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.rollout_gpu import build_model, build_trainer, gsm8k_prompts  # noqa: E402

SETTINGS = {
    "bf16": {},
    "fp32": {"bf16": False},
    "bf16-no-gc": {"gradient_checkpointing": False},
    "bf16-eager-attn": {"attn": "eager"},
    # TRL's fused LM-head log-prob function, path by path (benchmarks/notes/lmhead_check.py checks it alone)
    "bf16-lmhead-torch-tiles": {"patch": {"_use_triton": lambda device: False}},
    "bf16-lmhead-no-out-dtype": {"patch": {"_MM_OUT_DTYPE": False}},
    "bf16-lmhead-fp32": {"cast_lm_head_to_fp32": True},
}


@contextmanager
def kernel_patches(values: dict):
    """Set names in TRL's chunked log-prob module (and the trainer utils that imported them) for a block."""
    import trl.kernels.chunked_logprob as kernels
    import trl.trainer.utils as utils

    saved = [(m, k, getattr(m, k)) for k in values for m in (kernels, utils) if hasattr(m, k)]
    for module, name, _ in saved:
        setattr(module, name, values[name])
    try:
        yield
    finally:
        for module, name, old in saved:
            setattr(module, name, old)


def probe(kind: str, model_dir: Path, prompts: list, out: Path, extra: dict) -> dict:

    attn = extra.pop("attn", None)
    with kernel_patches(extra.pop("patch", {})):
        return _probe(kind, model_dir, prompts, out, extra, attn)


def _probe(kind: str, model_dir: Path, prompts: list, out: Path, extra: dict, attn: str | None) -> dict:
    import torch

    trainer = build_trainer(
        kind, model_dir, prompts, out, False, (64, 4, 256), {"max_steps": 1, **extra}, attn
    )
    bad: list[str] = []
    hooks = [
        p.register_hook(lambda g, n=n: bad.append(n) if not torch.isfinite(g).all() else None)
        for n, p in trainer.model.named_parameters()
        if p.requires_grad
    ]
    trainer.train()
    for h in hooks:
        h.remove()
    log = next(e for e in trainer.state.log_history if "grad_norm" in e)
    return {
        "grad_norm": log["grad_norm"],
        "loss": log["loss"],
        "nonfinite_grads": len(set(bad)),
        "first_named": bad[:3],
        "last_named": bad[-3:],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokenizer", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--kinds", nargs="+", default=["fast", "trl"])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    options = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "nan-probe"
    model_dir = build_model(work / "model", options.tokenizer)
    prompts = gsm8k_prompts(options.prompts, 512)
    for kind in options.kinds:
        for name in options.settings:
            extra = SETTINGS[name]
            started = time.perf_counter()
            try:
                result = probe(kind, model_dir, prompts, work / f"{kind}-{name}", dict(extra))
            except Exception as err:
                result = {"error": f"{type(err).__name__}: {err}"[:300]}
            print(
                json.dumps(
                    {"kind": kind, "setting": name, "s": round(time.perf_counter() - started, 1), **result}
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
