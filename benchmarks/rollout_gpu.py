"""GPU benchmark of GRPO rollouts: a hand-written plain-TRL script vs the pipeline's trainer, per backend.

    python benchmarks/rollout_gpu.py --tokenizer <dir or .gguf> --prompts <gsm8k train.jsonl> [--variants ...]

Workload (the reference in benchmarks/README.md): a random-init 0.40B Llama shape (Qwen2.5-0.5B dims:
hidden 896, 24 layers, 14 heads, 2 KV heads, intermediate 4864, vocab 49152, tied embeddings), GSM8K
prompts, 32 prompts × 8 generations × 256 new tokens per generation round (``per_device_train_batch_size``
64 × ``gradient_accumulation_steps`` 4, so one round per optimizer step, on-policy). Speed does not depend
on weight values; a random model rarely emits EOS, so completions run to the limit.

Per variant it prints one JSON line: generation seconds per round (CUDA-synchronised around TRL's
``_generate_single_turn``), generated tokens/s, optimizer-step seconds, peak GPU memory. Round 1 includes
compilation and is reported apart. ``--engine-only`` also times the bare engine (decode ms/step next to
the memory-bandwidth bound of reading the weights once per step).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHAPE = dict(
    hidden_size=896,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
    intermediate_size=4864,
    vocab_size=49152,
    tie_word_embeddings=True,
    max_position_embeddings=4096,
)
#: SmolLM2-135M-Instruct's shape (134,515,008 parameters): a random-init stand-in for timing where its real
#: weights (two ~47 MiB halves, two device calls) cannot travel; it never stops early, so its times are an
#: upper bound for the real model's.
SMOLLM2_SHAPE = dict(
    hidden_size=576,
    num_hidden_layers=30,
    num_attention_heads=9,
    num_key_value_heads=3,
    intermediate_size=1536,
    vocab_size=49152,
    tie_word_embeddings=True,
    max_position_embeddings=8192,
    rope_theta=100000.0,
    rms_norm_eps=1e-5,
)
SHAPES = {"m040": SHAPE, "smollm2": SMOLLM2_SHAPE}
HBM_BYTES_PER_S = 4.3e12  # measured on the H200 (../shared/device/README.md)


def build_model(directory: Path, tokenizer_source: str, shape: str = "m040") -> Path:
    """Save a random-init model of a benchmark shape (:data:`SHAPES`) plus a 49152-token tokenizer."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    source = Path(tokenizer_source)
    extra = {"gguf_file": source.name} if source.suffix == ".gguf" else {}
    tokenizer = AutoTokenizer.from_pretrained(str(source.parent if extra else source), **extra)
    if "<|im_end|>" in tokenizer.get_vocab():  # SmolLM2's GGUF names <|im_start|> as eos
        tokenizer.eos_token = "<|im_end|>"
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    tokenizer.padding_side = "left"
    torch.manual_seed(0)
    # No pad_token_id in the config: LlamaForCausalLM would initialise that embedding row to zero, and a
    # zero row for a token every prompt contains makes gradients overflow (benchmarks/nan_locate.py).
    config = LlamaConfig(
        **SHAPES[shape], bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id
    )
    LlamaForCausalLM(config).to(torch.bfloat16).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def gsm8k_prompts(path: str, count: int) -> list[list[dict[str, str]]]:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()[:count]]
    system = "Solve the problem step by step. End with the final answer as #### <number>."
    return [[{"role": "system", "content": system}, {"role": "user", "content": r["question"]}] for r in rows]


def grpo_args(output_dir: Path, batch: int, accumulation: int, tokens: int) -> dict[str, Any]:
    return dict(
        output_dir=str(output_dir),
        max_steps=3,
        per_device_train_batch_size=batch,
        gradient_accumulation_steps=accumulation,
        num_generations=8,
        max_completion_length=tokens,
        learning_rate=1e-6,
        bf16=True,
        gradient_checkpointing=True,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        beta=0.0,
        seed=0,
    )


def digit_share(completions: list[Any], **_: Any) -> list[float]:
    texts = [c[0]["content"] if isinstance(c, list) else c for c in completions]
    return [sum(ch.isdigit() for ch in t) / max(1, len(t)) for t in texts]


def build_trainer(
    kind: str,
    model_dir: Path,
    prompts: list,
    out: Path,
    lora: bool,
    shape: tuple,
    overrides: dict[str, Any] | None = None,
    attn: str | None = None,
) -> Any:
    """``plain``: GRPOTrainer exactly as a user's script builds it; ``trl``/``fast``: the pipeline's
    training-loop component (rlvr.training.GRPOTrainingLoop) with that rollout backend."""
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    extra = {"attn_implementation": attn} if attn else {}
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, **extra).to("cuda")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    data = Dataset.from_list([{"prompt": p} for p in prompts])
    peft = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear") if lora else None
    args = {**grpo_args(out, *shape), **(overrides or {})}
    if kind == "plain":
        from trl import GRPOConfig, GRPOTrainer

        return GRPOTrainer(
            model=model,
            reward_funcs=[digit_share],
            args=GRPOConfig(**args),
            train_dataset=data,
            processing_class=tokenizer,
            peft_config=peft,
        )
    from rlvr.training import GRPOTrainingLoop

    loop = GRPOTrainingLoop(rollout={"backend": kind}, **{k: v for k, v in args.items() if k != "report_to"})
    return loop.build_trainer(model, tokenizer, data, [digit_share], [1.0], output_dir=out, peft_config=peft)


def measure(trainer: Any) -> dict[str, Any]:
    """Train ``max_steps`` steps, timing every generation round and every optimizer step."""
    import torch
    from transformers import TrainerCallback

    rounds: list[tuple[float, int]] = []
    original = trainer._generate_single_turn

    def timed(*args: Any, **kwargs: Any) -> Any:
        torch.cuda.synchronize()
        start = time.perf_counter()
        ids, logprobs = original(*args, **kwargs)
        torch.cuda.synchronize()
        rounds.append((time.perf_counter() - start, sum(len(i) for i in ids)))
        return ids, logprobs

    steps: list[float] = []

    class StepTimer(TrainerCallback):
        def on_step_begin(self, *args: Any, **kwargs: Any) -> None:
            torch.cuda.synchronize()
            self.start = time.perf_counter()

        def on_step_end(self, *args: Any, **kwargs: Any) -> None:
            torch.cuda.synchronize()
            steps.append(time.perf_counter() - self.start)

    trainer._generate_single_turn = timed
    trainer.add_callback(StepTimer())
    torch.cuda.reset_peak_memory_stats()
    trainer.train()
    later = rounds[1:] or rounds
    seconds = statistics.median(r[0] for r in later)
    tokens = statistics.median(r[1] for r in later)
    return {
        "round1_s": round(rounds[0][0], 2),
        "gen_s_per_round": round(seconds, 3),
        "tokens_per_round": tokens,
        "gen_tok_per_s": round(tokens / seconds),
        "step_s": round(statistics.median(steps[1:] or steps), 3),
        "train_s_excl_gen": round(statistics.median(steps[1:] or steps) - seconds, 3),
        "peak_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2),
    }


def engine_only(
    model_dir: Path,
    prompts: list,
    rows: int,
    tokens: int,
    profile: bool = False,
    decode_attention: str = "grouped",
) -> dict[str, Any]:
    """The bare engine on a 256-row batch: per-decode-step time next to the bandwidth bound. With
    ``profile``, one more 32-token call under ``torch.profiler``: the top CUDA kernels and CPU ops, and
    kernel launches per decode step (hundreds = the CUDA graphs are not replayed)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr.rollout import RolloutEngine, SamplingSettings

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.bfloat16).to("cuda")
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    ids = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=True) for p in prompts]
    ids = [list(i["input_ids"]) if hasattr(i, "keys") else list(i) for i in ids]
    batch = [ids[n % len(ids)] for n in range(rows)]
    # no EOS: every row runs to the limit
    engine = RolloutEngine(model, tokenizer.pad_token_id, [-1], decode_attention=decode_attention)
    settings = SamplingSettings(max_new_tokens=tokens)
    times = []
    for _ in range(3):
        torch.cuda.synchronize()
        start = time.perf_counter()
        engine.generate(batch, settings)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    weight_bytes = sum(p.numel() * p.element_size() for p in engine.model.parameters())
    best = min(times[1:])
    if profile:
        print_profile(engine, batch, 32)
    return {
        "rounds_s": [round(t, 3) for t in times],
        "gen_tok_per_s": round(rows * tokens / best),
        "ms_per_decode_step": round(1000 * best / tokens, 3),
        "bandwidth_bound_ms_per_step": round(1000 * weight_bytes / HBM_BYTES_PER_S, 3),
    }


def print_profile(engine: Any, batch: list, tokens: int) -> None:
    """Where a decode step's time goes: kernel launches per step, top CUDA kernels, top CPU ops."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from rlvr.rollout import SamplingSettings

    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        engine.generate(batch, SamplingSettings(max_new_tokens=tokens))
        torch.cuda.synchronize()
    events = prof.key_averages()
    launches = sum(
        e.count for e in events if e.key in ("cudaLaunchKernel", "cuLaunchKernel", "cudaLaunchKernelExC")
    )
    graphs = sum(e.count for e in events if e.key in ("cudaGraphLaunch", "cuGraphLaunch"))
    print(
        json.dumps(
            {
                "profile_tokens": tokens,
                "kernel_launches_per_step": round(launches / tokens, 1),
                "graph_launches_per_step": round(graphs / tokens, 2),
            }
        ),
        flush=True,
    )
    print(events.table(sort_by="self_device_time_total", row_limit=15), flush=True)
    print(events.table(sort_by="self_cpu_time_total", row_limit=15), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tokenizer", required=True, help="tokenizer dir or .gguf file (vocab 49152)")
    parser.add_argument("--prompts", required=True, help="GSM8K train.jsonl")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "rollout-bench"))
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["engine", "fast-full", "fast-lora", "plain-full", "trl-full", "trl-lora", "fast-default"],
        help="engine | engine-sdpa | {plain,trl,fast}-{full,lora} | {trl,fast}-default (the default config's batch shape: "
        "64 x 4, 512 tokens) | {trl,fast}-small (a small batch: 8 x 4, 512 tokens)",
    )
    parser.add_argument("--profile", action="store_true", help="engine: also profile 32 decode steps")
    options = parser.parse_args()
    import torch
    import transformers
    import trl

    work = Path(options.work)
    model_dir = build_model(work / "model", options.tokenizer)
    prompts = gsm8k_prompts(options.prompts, 512)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "trl": trl.__version__,
                "gpu": torch.cuda.get_device_name(),
            }
        ),
        flush=True,
    )
    for variant in options.variants:
        started = time.perf_counter()
        try:
            if variant in ("engine", "engine-sdpa"):  # engine-sdpa: transformers' SDPA for decode too
                attention = "sdpa" if variant == "engine-sdpa" else "grouped"
                result = engine_only(model_dir, prompts, 256, 256, options.profile, attention)
            else:
                kind, setting = variant.split("-")
                shape = {"default": (64, 4, 512), "small": (8, 4, 512)}.get(setting, (64, 4, 256))
                lora = setting in ("lora", "default", "small")
                trainer = build_trainer(kind, model_dir, prompts, work / variant, lora, shape)
                result = measure(trainer)
                del trainer
            status = "ok"
        except Exception as err:  # one failing variant must not cost the others their figures
            traceback.print_exc()
            result, status = {"error": f"{type(err).__name__}: {err}"[:300]}, "failed"
        torch.cuda.empty_cache()
        print(
            json.dumps(
                {
                    "variant": variant,
                    "status": status,
                    "wall_s": round(time.perf_counter() - started, 1),
                    **result,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
