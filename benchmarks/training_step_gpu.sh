#!/usr/bin/env bash
# The training step's table (issue: forward only the tokens that matter): one short run per variant on the
# 0.40B random-init shape, GSM8K prompts, 256 completions x 256 tokens per optimizer step, eval off, each
# under benchmarks/step_breakdown.py; then one JSON line per variant with the medians over steps 2.. of
# the step, generation and forward + backward times (step_breakdown.py), and of train/mfu,
# train/pad_fraction, train/prompt_repeat_fraction, train/tokens_forwarded (metrics.jsonl), and peak GPU
# memory. VARIANTS="old new" picks a subset. Each variant is <name>:<overrides separated by commas>.
#   benchmarks/training_step_gpu.sh <m040 dir> <gsm8k dir> <steps> <out dir> [overrides for every variant]
set -euo pipefail
model=$1; data=$2; steps=$3; out=$4; shift 4
mkdir -p "$out"
declare -A VARIANT=(
  [lora-old]="train.packing=off,train.gradient_checkpointing=true"
  [lora-trim]="train.packing=trim,train.gradient_checkpointing=true"
  [lora-new]="train.packing=auto,train.gradient_checkpointing=auto"
  [lora-prefix]="train.packing=prefix,train.gradient_checkpointing=auto"
  [lora-budget]="train.packing=auto,train.gradient_checkpointing=auto,train.per_device_train_batch_size=256,train.gradient_accumulation_steps=1,train.micro_batch_tokens=65536"
  [lora-prefix-budget]="train.packing=prefix,train.gradient_checkpointing=auto,train.per_device_train_batch_size=256,train.gradient_accumulation_steps=1,train.micro_batch_tokens=65536"
  [full-old]="model.lora.enabled=false,train.packing=off,train.gradient_checkpointing=true"
  [full-new]="model.lora.enabled=false,train.packing=auto,train.gradient_checkpointing=auto"
  [full-prefix]="model.lora.enabled=false,train.packing=prefix,train.gradient_checkpointing=auto"
)
read -r -a names <<< "${VARIANTS:-lora-old lora-new lora-budget full-old full-new}"
for name in "${names[@]}"; do
  IFS=, read -r -a extra <<< "${VARIANT[$name]}"
  rc=0
  STEP_BREAKDOWN_OUT="$out/$name" python benchmarks/step_breakdown.py model.model_name_or_path="$model" \
    data.hub_id=null data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" \
    train.max_steps="$steps" train.save_strategy=no train.logging_steps=1 eval.enabled=false \
    train.per_device_train_batch_size=64 train.max_completion_length=256 observer.console=quiet \
    "${extra[@]}" "$@" hydra.run.dir="$out/$name/run" > "$out/$name.log" 2>&1 || rc=$?
  python - "$name" "$out/$name" "$rc" <<'PY'
import json, statistics, sys
from pathlib import Path
name, out, rc = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
row = {"variant": name, "exit": rc}
def median(values):
    return round(statistics.median(values), 3) if values else None
steps = [json.loads(l) for l in (out / "breakdown.jsonl").read_text().splitlines()] if (out / "breakdown.jsonl").is_file() else []
later = [s for s in steps if s["step"] >= 2]
for key in ("step_s", "generate_s", "forward_backward_s"):
    row[key] = median([s[key] for s in later])
    row[key + "_range"] = [min(s[key] for s in later), max(s[key] for s in later)] if later else None
metrics = out / "run" / "metrics.jsonl"
seen = {}
if metrics.is_file():
    for line in metrics.read_text().splitlines():
        record = json.loads(line)
        flat = {**record, **(record.get("metrics") or {})} if isinstance(record, dict) else {}
        if flat.get("step", 0) < 2:
            continue
        for key, value in flat.items():
            for wanted in ("train/mfu", "train/pad_fraction", "train/prompt_repeat_fraction", "train/tokens_forwarded", "train/real_tokens", "gpu/peak_memory_gib"):
                if key.endswith(wanted) and isinstance(value, (int, float)):
                    seen.setdefault(wanted, []).append(value)
for key, values in seen.items():
    row[key] = median(values) if key != "gpu/peak_memory_gib" else max(values)
print(json.dumps(row), flush=True)
PY
done
