"""``train.bf16``: null means bf16 where a GPU supports it and float32 elsewhere, so the default config also
runs on a CPU; an explicit ``true`` that cannot work stops with the fix, not transformers' ValueError."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rlvr.errors import ConfigError  # noqa: E402
from rlvr.training.grpo import GRPOTrainingLoop, resolve_bf16  # noqa: E402

needs_no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the machine without a GPU")


@needs_no_cuda
def test_default_null_is_float32_on_a_cpu_and_the_grpo_config_builds(tmp_path: Path) -> None:
    assert resolve_bf16(None, fp16=False, use_cpu=False) is False
    config = GRPOTrainingLoop(bf16=None, max_steps=1).grpo_config(tmp_path, [1.0])
    assert config.bf16 is False


@needs_no_cuda
def test_explicit_true_without_a_bf16_gpu_names_the_fixes() -> None:
    with pytest.raises(ConfigError) as error:
        resolve_bf16(True, fp16=False, use_cpu=False)
    message = str(error.value)
    assert "train.bf16=true" in message
    assert "train.bf16=false" in message and "train.use_cpu=true" in message


def test_explicit_values_are_kept_where_they_work() -> None:
    assert resolve_bf16(False, fp16=False, use_cpu=False) is False
    assert resolve_bf16(True, fp16=False, use_cpu=True) is True  # CPU autocast, as transformers allows


def test_null_on_a_bf16_gpu_is_on_unless_fp16_or_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert resolve_bf16(None, fp16=False, use_cpu=False) is True
    assert resolve_bf16(None, fp16=True, use_cpu=False) is False
    assert resolve_bf16(None, fp16=False, use_cpu=True) is False


@needs_no_cuda
def test_the_pipeline_stops_before_loading_weights(tiny_model_dir: Path, tmp_path: Path) -> None:
    from tests.config.cli import run_cli
    from tests.modes.test_train import tiny_model_overrides

    overrides = [o for o in tiny_model_overrides(tiny_model_dir) if not o.startswith("train.bf16")]
    result = run_cli([*overrides, "train.bf16=true"], tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "rlvr: train.bf16=true needs a GPU with bfloat16 support" in result.stderr
    assert "Traceback" not in result.stderr
    assert "memory estimate" not in result.stderr + result.stdout  # stopped before the weights
