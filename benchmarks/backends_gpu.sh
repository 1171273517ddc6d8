#!/usr/bin/env bash
# Issue #9's table: one short GRPO run per model backend (model_component=full, default, qlora, and
# unsloth when it imports here) on one model, same data and batch shape, eval off; then one JSON line per
# backend: median step time (steps 2..), generated tok/s and peak GPU memory from the run's own
# summary.json and metrics.jsonl (gpu/peak_memory_gib). A .gguf model is first saved as a plain HF
# directory (bitsandbytes quantises from float weights, not from GGUF).
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
backends=(full default qlora)
if python -c "import unsloth" > /dev/null 2>&1; then backends+=(unsloth); else echo "unsloth: not importable here"; fi
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
    steps = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [s for s in steps if s.get("kind") == "train" and s.get("step_time") is not None]
    later = [s["step_time"] for s in steps[1:]] or [s["step_time"] for s in steps]
    row |= {
        "steps": summary["steps"],
        "median_step_s": round(statistics.median(later), 3) if later else None,
        "generated_tok_per_s": summary.get("generated_tok_per_s"),
        "peak_gpu_memory_gib": summary.get("peak_gpu_memory_gib"),
    }
print(json.dumps(row), flush=True)
PY
done
