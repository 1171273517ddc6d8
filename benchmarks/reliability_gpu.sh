#!/usr/bin/env bash
# The bf16 NaN run of issue #12, as filed (SmolLM2-135M-Instruct GGUF, real GSM8K, default LoRA, 28 steps),
# with the pipeline's defaults of today (fast rollouts, nan_guard=skip); and the same command under
# benchmarks/nan_hunt.py for longer, which prints where the first non-finite gradient appears, if any.
#   benchmarks/reliability_gpu.sh <SmolLM2-135M-Instruct.Q4_1.gguf> <gsm8k dir> <hunt steps> <out dir>
set -euo pipefail
gguf=$1; data=$2; hunt_steps=$3; out=$4
issue=(model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'" data.hub_id=null
  data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" train.max_steps=28
  train.per_device_train_batch_size=64 train.gradient_accumulation_steps=4 train.max_completion_length=256
  train.learning_rate=5e-5 train.warmup_steps=0 train.lr_scheduler_type=constant train.save_strategy=no
  eval.max_samples=256 eval.batch_size=128 eval.max_new_tokens=256 observer.console=quiet)
python run_pipeline.py "${issue[@]}" hydra.run.dir="$out/issue28" > "$out/issue28.log" 2>&1 &
run=$!
python benchmarks/nan_hunt.py "${issue[@]}" train.max_steps="$hunt_steps" eval.enabled=false \
  hydra.run.dir="$out/hunt" > "$out/hunt.log" 2>&1 &
hunt=$!
rc=0; wait $run || rc=$?; echo "issue command exit $rc"
rc=0; wait $hunt || rc=$?; echo "nan_hunt exit $rc"
