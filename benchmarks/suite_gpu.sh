#!/usr/bin/env bash
# Wall time of a benchmark suite on one GPU (mode=eval eval.suite=..., the rollout engine generating), with
# SmolLM2-135M-Instruct (GGUF) on the benchmark files this machine can hold offline: GSM8K test (1,319
# problems, greedy, 512 new tokens, lm-eval strict-match beside the judge) and the exported reasoning-gym
# arithmetic test (512 problems, 16 samples each: the mean@16 path AIME/AMC take). Each suite run is timed
# end to end (model load included) and its suite_summary.md printed; copies land flat in <out dir>.
#   bash benchmarks/suite_gpu.sh <SmolLM2-135M-Instruct.Q4_1.gguf> <gsm8k dir> <arith dir> <out dir> [overrides]
# The model may also be a directory: `device_setup.sh smollm2`'s random-init stand-in gives, in one device
# call, an upper bound (every completion runs to the token limit; its accuracies mean nothing).
set -euo pipefail
gguf=$1; gsm8k=$2; arith=$3; out=$4; shift 4
mkdir -p "$out"
timed() {  # <run> <label> <command...>: the command's output to <out>/<run>.log, then "<label>: wall=<s> s"
  local run=$1 label=$2 start=$EPOCHREALTIME status=0
  shift 2
  "$@" > "$out/$run.log" 2>&1 || status=$?
  awk -v s="$start" -v e="$EPOCHREALTIME" -v l="$label" 'BEGIN { printf "%s: wall=%.2f s\n", l, e - s }' \
    | tee -a "$out/$run.log"
  if [ "$status" != 0 ]; then tail -n 30 "$out/$run.log" >&2; exit "$status"; fi
}
common=(mode=eval eval.suite=gsm8k_std model.model_name_or_path="$gguf" "model.eos_token='<|im_end|>'"
  eval.batch_size=256 observer.console=quiet)
timed gsm8k "gsm8k_std (GSM8K test, greedy)" python run_pipeline.py "${common[@]}" \
  eval.suite.benchmarks.gsm8k.path="$gsm8k/test.jsonl" "$@" hydra.run.dir="$out/gsm8k"
timed arith "arith test, 16 samples each (mean@16)" python run_pipeline.py "${common[@]}" \
  eval.suite.benchmarks.gsm8k.path="$arith/test.jsonl" eval.suite.benchmarks.gsm8k.title=arith \
  eval.suite.benchmarks.gsm8k.samples=16 eval.suite.max_new_tokens=128 eval.suite.temperature=0.6 \
  "$@" hydra.run.dir="$out/arith"
for run in gsm8k arith; do
  cp "$out/$run/suite_summary.md" "$out/$run-suite_summary.md"
  cat "$out/$run-suite_summary.md"
  python -c "import json,sys; s=json.load(open(sys.argv[1])); print({e['name']: e['seconds'] for e in s['benchmarks']}, 'suite', s['seconds'], 's')" "$out/$run/suite_summary.json"
done
