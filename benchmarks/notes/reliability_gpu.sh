#!/usr/bin/env bash
# The bf16 NaN run of issue #12, as filed (SmolLM2-135M-Instruct GGUF, real GSM8K, default LoRA, 28 steps),
# with the pipeline's defaults of today (fast rollouts, nan_guard=skip); then the same command with TRL's
# own generation (the backend of the original failure) under benchmarks/notes/nan_hunt.py, which prints where the
# first non-finite gradient appears, if any, stopped by SIGTERM after <hunt seconds> (a graceful stop:
# checkpoint + report). Run dirs go under <work dir>; their metrics and reports are copied to <out dir>.
#   benchmarks/reliability_gpu.sh <SmolLM2-135M-Instruct.Q4_1.gguf> <gsm8k dir> <hunt seconds> <work dir> <out dir>
set -euo pipefail
gguf=$1; data=$2; hunt_seconds=$3; work=$4; out=$5
issue=(model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'" data.hub_id=null
  data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" train.max_steps=28
  train.per_device_train_batch_size=64 train.gradient_accumulation_steps=4 train.max_completion_length=256
  train.learning_rate=5e-5 train.warmup_steps=0 train.lr_scheduler_type=constant train.save_strategy=no
  eval.max_samples=256 eval.batch_size=128 eval.max_new_tokens=256 observer.console=quiet)
mkdir -p "$out"
start=$SECONDS; rc=0
python run_pipeline.py "${issue[@]}" hydra.run.dir="$work/issue28" > "$out/issue28.log" 2>&1 || rc=$?
echo "issue command exit $rc after $((SECONDS - start)) s"
rc=0; timeout -s TERM "$hunt_seconds" python benchmarks/notes/nan_hunt.py "${issue[@]}" train.max_steps=200 \
  train.rollout.backend=trl eval.enabled=false hydra.run.dir="$work/hunt" > "$out/hunt.log" 2>&1 || rc=$?
echo "nan_hunt exit $rc"
for run in issue28 hunt; do
  for f in metrics.jsonl eval_report.json summary.md status.json; do
    [ -f "$work/$run/$f" ] && cp "$work/$run/$f" "$out/$run-$f"
  done
done
