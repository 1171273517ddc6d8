"""benchmarks/rollout_gpu.py's random-init shapes: the stand-ins GPU timings are measured on.

The SmolLM2 shape stands in for SmolLM2-135M-Instruct where its weights cannot travel to the GPU machine in
one call (benchmarks/device_setup.sh smollm2); a timing quoted for it is only meaningful if it is that
model's shape, so its parameter count is checked against the published one and the script is run as the
README runs it, with a tokenizer from the test's own tiny model.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.rollout_gpu import SHAPES
from tests.conftest import ROOT

#: HuggingFaceTB/SmolLM2-135M-Instruct has 134,515,008 parameters (tied embeddings). The "0.40B shape" of
#: benchmarks/README.md is Qwen2.5-0.5B's dimensions as a Llama (no attention biases) with a 49152 vocabulary.
PARAMETERS = {"smollm2": 134_515_008, "m040": 401_910_656}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_has_the_models_parameter_count(shape: str) -> None:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    with torch.device("meta"):
        model = LlamaForCausalLM(LlamaConfig(**SHAPES[shape]))
    assert sum(p.numel() for p in model.parameters()) == PARAMETERS[shape]


@pytest.mark.slow
def test_device_setup_builds_the_smollm2_stand_in(tiny_model_dir: Path, tmp_path: Path) -> None:
    """``device_setup.sh smollm2`` writes a loadable model of that shape and the tokenizer beside it."""
    from transformers import AutoConfig, AutoTokenizer

    shutil.copytree(tiny_model_dir, tmp_path / "tokenizer")
    # the script calls python3: this interpreter's, with torch
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "benchmarks/device_setup.sh", "smollm2"], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith(f"device_setup: {tmp_path / 'smollm2'}")
    config = AutoConfig.from_pretrained(tmp_path / "smollm2")
    assert (config.hidden_size, config.num_hidden_layers, config.num_key_value_heads) == (576, 30, 3)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "smollm2")
    assert tokenizer.get_vocab() == AutoTokenizer.from_pretrained(tiny_model_dir).get_vocab()
