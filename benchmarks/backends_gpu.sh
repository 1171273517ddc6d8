#!/usr/bin/env bash
# Issue #9's table: one short GRPO run per model backend (model_component=full, default, qlora, and
# unsloth when it imports here) on one model, same data and batch shape, eval off; then one JSON line per
# backend: median step time and generated tokens per second of step time (steps 2..; and over the whole
# run, step 1's compile included), and peak GPU memory from the run's own
# summary.json and metrics.jsonl (gpu/peak_memory_gib). A .gguf model is first saved as a plain HF
# directory (bitsandbytes quantises from float weights, not from GGUF).
# BACKENDS="full qlora" picks a subset (e.g. one device call per set of wheels); by default all that import.
#   benchmarks/backends_gpu.sh <model dir or .gguf> <gsm8k dir> <steps> <out dir> [overrides]
set -euo pipefail
model=$1; data=$2; steps=$3; out=$4; shift 4
mkdir -p "$out"
if [[ "$model" == *.gguf ]]; then
  python - "$model" "$out/model" <<'PY'
import sys
from rlvr.models.hf import HFModel
loaded = HFModel(sys.argv[1], dtype="bfloat16", eos_token="<|im_end|>", lora={"enabled": False}).load()
loaded.model.save_pretrained(sys.argv[2])
loaded.tokenizer.save_pretrained(sys.argv[2])
PY
  model="$out/model"
fi
if [ -n "${BACKENDS:-}" ]; then
  read -r -a backends <<< "$BACKENDS"
else
  backends=(full default qlora)
  if python -c "import unsloth" > /dev/null 2>&1; then backends+=(unsloth); else echo "unsloth: not importable here"; fi
fi
for backend in "${backends[@]}"; do
  rc=0
  python run_pipeline.py model_component="$backend" model.model_name_or_path="$model" \
    data.hub_id=null data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" \
    train.max_steps="$steps" train.save_strategy=no train.logging_steps=1 eval.enabled=false \
    observer.console=quiet "$@" hydra.run.dir="$out/$backend" > "$out/$backend.log" 2>&1 || rc=$?
  python - "$backend" "$out/$backend" "$rc" <<'PY'
import json, statistics, sys
from pathlib import Path
backend, run, rc = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
row = {"backend": backend, "exit": rc}
if (run / "summary.json").is_file():
    summary = json.loads((run / "summary.json").read_text())
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if r.get("kind") == "train" and r.get("step_time") is not None]
    later = steps[1:] or steps  # step 1 pays for compiling and capturing the decode graph
    setup = next((r for r in records if r.get("kind") == "setup"), {})
    tokens = sum(s["completions/mean_length"] * setup.get("completions_per_step", 0) for s in later)
    seconds = sum(s["step_time"] for s in later)
    row |= {
        "steps": summary["steps"],
        "median_step_s": round(statistics.median(s["step_time"] for s in later), 3) if later else None,
        "steady_tok_per_s": round(tokens / seconds, 1) if seconds else None,  # steps 2.., step time
        "generated_tok_per_s": summary.get("generated_tok_per_s"),  # whole run, step 1 included
        "peak_gpu_memory_gib": summary.get("peak_gpu_memory_gib"),
    }
print(json.dumps(row), flush=True)
PY
done
