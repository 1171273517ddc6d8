#!/usr/bin/env bash
# GPU check of the default configuration (bf16, gradient checkpointing, LoRA r=16, 8 generations,
# per-device batch 8 x 4 accumulation) on the real GSM8K files, with SmolLM2-135M-Instruct (GGUF) as a
# stand-in for the hub model, which the benchmark machine cannot download.
#   bash benchmarks/gpu_gsm8k.sh <dir with train.jsonl, test.jsonl> <path to SmolLM2-135M-Instruct.Q4_1.gguf> <out dir>
set -euo pipefail
data=$1 model=$2 out=$3
/usr/bin/time -f "wall=%e s" python3 run_pipeline.py \
  model.model_name_or_path="$model" "model.eos_token='<|im_end|>'" \
  data.hub_id=null data.path="$data/train.jsonl" data.eval_path="$data/test.jsonl" \
  train.max_steps=8 train.max_completion_length=256 eval.max_samples=64 eval.max_new_tokens=256 \
  hydra.run.dir="$out"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(json.dumps({k: r[k] for k in ('before', 'train', 'after')}))" "$out/eval_report.json"
