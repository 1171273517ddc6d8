#!/usr/bin/env bash
# Learning proof on one GPU: SmolLM2-135M-Instruct (real weights, GGUF) on real GSM8K with the pipeline's
# default LoRA setup, fast rollout backend; then the same command with the trl backend for a shorter span
# (its reward curve should agree). Prints the run dirs; metrics.jsonl and eval_report.json hold the figures.
#   benchmarks/learning_gpu.sh <SmolLM2-135M-Instruct.Q4_1.gguf> <gsm8k dir> <steps> <trl steps> <out dir>
set -euo pipefail
gguf=$1; data=$2; steps=$3; trl_steps=$4; out=$5
common=(model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'" data.hub_id=null
  data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" train.per_device_train_batch_size=32
  train.gradient_accumulation_steps=4 train.max_completion_length=256 train.learning_rate=5e-5
  train.warmup_steps=0 train.lr_scheduler_type=constant train.save_strategy=no train.logging_steps=1
  eval.max_new_tokens=256 eval.batch_size=128)
time python run_pipeline.py "${common[@]}" train.max_steps="$steps" train.rollout.backend=fast \
  eval.max_samples=512 hydra.run.dir="$out/fast"
time python run_pipeline.py "${common[@]}" train.max_steps="$trl_steps" train.rollout.backend=trl \
  eval.enabled=false hydra.run.dir="$out/trl"
