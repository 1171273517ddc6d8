#!/usr/bin/env bash
# Learning proof on one GPU: SmolLM2-135M-Instruct (real weights, GGUF) on real GSM8K with the pipeline's
# default LoRA setup (bf16, gradient checkpointing, nan_guard=skip), fast rollout backend, greedy eval
# before/after on the test split; and, at the same time on the same GPU, the same command with the trl
# backend for a shorter span (its reward curve should agree); <trl steps> 0 runs the fast one alone.
# metrics.jsonl and eval_report.json in each run dir hold the figures; step times are not meaningful
# while both runs share the GPU.
# Overrides after <out dir> apply to both runs (last value wins), e.g. train.per_device_train_batch_size=64.
# The figures that matter are also copied flat into <out dir> as fast-*/trl-* files.
# SIGTERM (e.g. `timeout 540 bash benchmarks/learning_gpu.sh ...` inside a call's time limit) is passed on
# to the runs: each finishes its step, saves a checkpoint and stops; the same command with the same
# <out dir> plus train.resume_from_checkpoint=auto continues them.
#   benchmarks/learning_gpu.sh <SmolLM2-135M-Instruct.Q4_1.gguf> <gsm8k dir> <steps> <trl steps> <out dir> [overrides]
set -euo pipefail
gguf=$1; data=$2; steps=$3; trl_steps=$4; out=$5; shift 5
mkdir -p "$out"
runs=()
trap 'echo "SIGTERM: the runs checkpoint and stop"; kill -TERM "${runs[@]}" 2> /dev/null || true' TERM
finish() {  # wait for one run, through the interruptions of the trap above; its exit status
  local rc=0
  while true; do
    wait "$1" && return 0 || rc=$?
    kill -0 "$1" 2> /dev/null || return "$rc"
  done
}
common=(model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'" data.hub_id=null
  data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" train.per_device_train_batch_size=16
  train.gradient_accumulation_steps=4 train.max_completion_length=256 train.learning_rate=5e-5
  train.warmup_steps=0 train.lr_scheduler_type=constant train.save_strategy=no train.logging_steps=1
  eval.max_new_tokens=256 eval.batch_size=256 eval.samples_per_problem=0 observer.console=quiet)
python run_pipeline.py "${common[@]}" train.max_steps="$steps" train.rollout.backend=fast \
  eval.max_samples=512 eval.every_n_steps=0 "$@" hydra.run.dir="$out/fast" > "$out/fast.log" 2>&1 &
fast=$!; runs+=("$fast")
if [ "$trl_steps" -gt 0 ]; then  # 0: the fast run alone on the GPU
  python run_pipeline.py "${common[@]}" train.max_steps="$trl_steps" train.rollout.backend=trl \
    eval.enabled=false "$@" hydra.run.dir="$out/trl" > "$out/trl.log" 2>&1 &
  trl=$!; runs+=("$trl")
fi
rc=0; finish "$fast" || rc=$?; echo "fast backend exit $rc"
if [ "$trl_steps" -gt 0 ]; then rc=0; finish "$trl" || rc=$?; echo "trl backend exit $rc"; fi
for run in fast trl; do
  for f in metrics.jsonl eval_report.json status.json; do
    if [ -f "$out/$run/$f" ]; then cp "$out/$run/$f" "$out/$run-$f"; fi
  done
done
