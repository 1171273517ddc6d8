#!/usr/bin/env bash
# Prepare the lent GPU machine (no registry, no hub) from what a device call carried in .device/, in the
# steps the 64 MiB carry limit forces; everything lands under $HOME, which stays while the machine is warm.
#   bash benchmarks/device_setup.sh base      # carry .device/wheels .device/tokenizer .device/data [.device/model-a]
#                                             #   (+ .device/arith): wheels → $HOME/site, the files → $HOME
#   bash benchmarks/device_setup.sh model     # carry .device/model-b: $HOME/assets/SmolLM2-135M-Instruct.Q4_1.gguf
#   bash benchmarks/device_setup.sh m040      # the 0.40B random-init benchmark shape → $HOME/m040 (no carry)
#   bash benchmarks/device_setup.sh smollm2   # SmolLM2-135M's shape, random init → $HOME/smollm2 (no carry: an
#                                             #   upper bound on time in one call, where model-b cannot follow)
#   bash benchmarks/device_setup.sh qlora     # carry .device/qlora: bitsandbytes → $HOME/site
#   bash benchmarks/device_setup.sh unsloth   # carry .device/unsloth: Unsloth + trl 1.15 → $HOME/unsloth-site
#   eval "$(bash benchmarks/device_setup.sh env [unsloth])"   # PYTHONPATH for this call (Unsloth's first)
# .device/ is built on a machine with registry access: ../shared/device/prepare.sh, then
# benchmarks/prepare_backend_wheels.sh and benchmarks/export_reasoning_gym.py .device/arith (see README).
set -euo pipefail
step=${1:?usage: device_setup.sh base|model|m040|smollm2|qlora|unsloth|env [unsloth]}
install() {  # wheels of $1 into $2, offline, without dependency resolution (each set is complete)
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$2" "$1"/*.whl
  echo "device_setup: $(ls "$1"/*.whl | wc -l) wheels from $1 in $2"
}
case "$step" in
  base)
    mkdir -p "$HOME/assets"
    if [ -d .device/model-a ]; then cp .device/model-a/part-a "$HOME/assets/"; fi  # m040 needs no model
    for folder in data tokenizer arith; do
      if [ -d ".device/$folder" ]; then rm -rf "${HOME:?}/$folder" && cp -r ".device/$folder" "$HOME/"; fi
    done
    install .device/wheels "$HOME/site"
    ;;
  model)
    gguf="$HOME/assets/SmolLM2-135M-Instruct.Q4_1.gguf"
    cat "$HOME/assets/part-a" .device/model-b/part-b > "$gguf"
    if [ -f .device/model-b/md5 ]; then
      expected=$(awk '{print $1}' .device/model-b/md5)
      actual=$(md5sum "$gguf" | awk '{print $1}')
      if [ "$expected" != "$actual" ]; then echo "device_setup: $gguf md5 $actual, expected $expected" >&2; exit 1; fi
    fi
    echo "device_setup: $gguf ($(stat -c %s "$gguf") bytes)"
    ;;
  m040|smollm2)
    PYTHONPATH="$HOME/site:$PWD" python3 -c "import sys; from pathlib import Path; \
from benchmarks.rollout_gpu import build_model; build_model(Path(sys.argv[1]), sys.argv[2], sys.argv[3])" \
      "$HOME/$step" "$HOME/tokenizer" "$step"
    echo "device_setup: $HOME/$step"
    ;;
  qlora) install .device/qlora "$HOME/site" ;;
  unsloth) install .device/unsloth "$HOME/unsloth-site" ;;
  env)
    path="$HOME/site:$PWD"
    if [ "${2:-}" = unsloth ]; then path="$HOME/unsloth-site:$path"; fi
    echo "export PYTHONPATH=$path PYTHONUNBUFFERED=1"
    ;;
  *) echo "device_setup: unknown step '$step' (base, model, m040, smollm2, qlora, unsloth, env)" >&2; exit 2 ;;
esac
