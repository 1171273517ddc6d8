#!/usr/bin/env bash
# Wheels the GPU image lacks for issue #9's per-backend table (run from the project root, on a machine that
# reaches the package registry; after ../shared/device/prepare.sh):
#   .device/qlora/    bitsandbytes (42 MB): model_component=qlora
#   .device/unsloth/  unsloth, unsloth-zoo, trl 1.15.0 and their dependencies missing there (~50 MB);
#                     xformers is left out (no wheel for the image's torch 2.11; Unsloth runs without it)
# Each folder is under one call's 64 MiB carry limit: install each in its own call, back to back, e.g.
#   python3 -m pip install -q --no-index --no-deps --target $HOME/unsloth-site .device/unsloth/*.whl
# and put $HOME/unsloth-site before $HOME/site on PYTHONPATH for the Unsloth run only (it pins trl 1.15.0).
set -euo pipefail
py=(--only-binary=:all: --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64
    --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
    --platform manylinux1_x86_64 --platform any)
mkdir -p .device/qlora .device/unsloth
python3 -m pip download -q --no-deps "${py[@]}" -d .device/qlora bitsandbytes==0.50.2
python3 -m pip download -q --no-deps "${py[@]}" -d .device/unsloth unsloth==2026.10.9 unsloth-zoo==2026.10.9 \
  trl==1.15.0 diffusers hf_transfer json5 nest-asyncio pydantic pydantic-core annotated-types \
  typing-inspection typing-extensions importlib-metadata structlog tyro docstring-parser typeguard shtab \
  cut_cross_entropy msgspec torchao
du -sh .device/qlora .device/unsloth
