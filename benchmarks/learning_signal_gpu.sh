#!/usr/bin/env bash
# Time to accuracy with and without dynamic sampling, in one call on one GPU: the learning proof's
# setting (SmolLM2-135M-Instruct, the exported arithmetic task, 64 completions per step, greedy eval on
# 512 test problems every <every> steps and before/after) run twice at the same time, the current default
# ("default") and the same with train.dynamic_sampling on, judged by the correctness reward ("dynamic").
# Both share the GPU, so their wall times compare with each other, not with a run alone. Prints one JSON
# line per run: its accuracy curve against step and seconds since the run started (metrics.jsonl
# time_s), and the seconds at which it first reached <target> accuracy (null: never). SIGTERM is passed on.
#   benchmarks/learning_signal_gpu.sh <SmolLM2 .gguf> <arith dir> <steps> <every> <target> <out dir> [overrides]
set -euo pipefail
gguf=$1; data=$2; steps=$3; every=$4; target=$5; out=$6; shift 6
mkdir -p "$out"
common=(model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'" data.hub_id=null
  data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" train.per_device_train_batch_size=16
  train.gradient_accumulation_steps=4 train.max_completion_length=128 train.learning_rate=5e-5
  train.warmup_steps=0 train.lr_scheduler_type=constant train.save_strategy=no train.logging_steps=1
  train.max_steps="$steps" eval.max_new_tokens=128 eval.batch_size=64 eval.max_samples=512
  eval.samples_per_problem=0 eval.every_n_steps="$every" eval.periodic_samples=512 observer.console=quiet)
declare -A extra=(
  [default]=""
  [dynamic]="train.dynamic_sampling.enabled=true train.dynamic_sampling.reward=numeric_correctness"
)
pids=()
trap 'echo "SIGTERM: passed on to the runs"; kill -TERM "${pids[@]}" 2> /dev/null || true' TERM
for run in default dynamic; do
  read -r -a more <<< "${extra[$run]}"
  python run_pipeline.py "${common[@]}" "${more[@]}" "$@" hydra.run.dir="$out/$run" > "$out/$run.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  while true; do wait "$pid" && break || true; kill -0 "$pid" 2> /dev/null || break; done
done
for run in default dynamic; do
  python - "$run" "$out/$run" "$target" <<'PY'
import json, sys
from pathlib import Path
name, run, target = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
curve, steps, kept = [], [], []
path = run / "metrics.jsonl"
for line in (path.read_text().splitlines() if path.is_file() else []):
    r = json.loads(line)
    if r.get("kind") == "eval" and r.get("eval/accuracy") is not None:
        curve.append((r.get("step"), r.get("time_s"), round(r["eval/accuracy"], 4)))
    if r.get("kind") == "train" and "loss" in r:
        steps.append(r.get("step"))
        if "sampling/kept_fraction" in r:
            kept.append(r["sampling/kept_fraction"])
reached = next((t for _, t, a in curve if a >= target), None)
print(json.dumps({"run": name, "steps": max(steps, default=0), "time_to_target_s": reached,
                  "target": target, "curve_step_s_acc": curve,
                  "mean_kept_fraction": round(sum(kept) / len(kept), 3) if kept else None}), flush=True)
PY
done
