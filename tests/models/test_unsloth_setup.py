"""model_component=unsloth without Unsloth: the option composes and validates, its rules and environment
checks say what to fix, and nothing heavy is imported on the way. Runs in every venv; the real Unsloth
load + GRPO step + save + reload is tests/models/test_unsloth.py (``make test-unsloth``)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
import types
from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.errors import ConfigError, SetupError
from rlvr.models import unsloth_setup
from rlvr.models.unsloth import UnslothModel
from rlvr.models.unsloth_setup import UNSLOTH_PINS, check_environment
from tests.config.cli import run_cli
from tests.conftest import ROOT, compose_config


def test_the_option_composes_validates_and_derives_max_seq_length() -> None:
    cfg = compose_config(
        ["model_component=unsloth", "data.max_prompt_tokens=300", "train.max_completion_length=64"]
    )
    assert cfg.model._target_ == "rlvr.models.unsloth.UnslothModel"
    validate_config(cfg)
    from rlvr.config import build

    assert build(cfg.model).sequence_length() == 300 + 64
    unset = build(compose_config(["model_component=unsloth", "train.max_completion_length=64"]).model)
    assert unset.sequence_length() == 512 + 64  # no prompt limit: 512 prompt tokens assumed
    fixed = build(compose_config(["model_component=unsloth", "model.max_seq_length=2048"]).model)
    assert fixed.sequence_length() == 2048
    assert compose_config(["model_component=unsloth", "seed=7"]).model.random_state == 7


@pytest.mark.parametrize(
    ("override", "key", "words"),
    [
        (["model.load_in_4bit=true", "model.load_in_8bit=true"], "model.load_in_8bit", "cannot be combined"),
        (
            ["model.lora.enabled=false", "model.load_in_4bit=true"],
            "model.load_in_4bit",
            "LoRA adapter on top",
        ),
        (["model.lora.enabled=false", "model.save_merged=true"], "model.save_merged", "already a full model"),
        (["model.model_name_or_path=./m.gguf"], "model.model_name_or_path", "not GGUF"),
        (["model.lora.rank=8"], "model.lora.rank", "not accepted by model.lora (UnslothLora)"),
        (["model.lora.r=0"], "model.lora.r", "must be at least 1"),
        (["model.gradient_checkpointing=always"], "model.gradient_checkpointing", "unsloth"),
        (["model.max_seq_length=0"], "model.max_seq_length", "must be at least 1"),
        (["model.gpu_memory_utilization=1.5"], "model.gpu_memory_utilization", "must be at most 1"),
        (["model.gpu_memory_utilization=0"], "model.gpu_memory_utilization", "must be greater than 0"),
        (["model.chat_template=missing.jinja"], "model.chat_template", "does not exist"),
    ],
)
def test_bad_unsloth_settings_are_config_errors(override: list[str], key: str, words: str) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        validate_config(compose_config(["model_component=unsloth", *override]))
    issues = [str(i) for i in caught.value.issues if i.key == key]
    assert issues and words in issues[0], caught.value


def test_the_pins_are_the_pyproject_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert tuple(extras["unsloth"]) == UNSLOTH_PINS


def _installed(monkeypatch: pytest.MonkeyPatch, versions: dict[str, str | None], requires: list[str]) -> None:
    monkeypatch.setattr(unsloth_setup, "_version", lambda name: versions.get(name))
    monkeypatch.setattr(unsloth_setup.importlib.metadata, "requires", lambda name: requires)


def test_missing_unsloth_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, {"unsloth-zoo": "2026.10.9"}, [])
    with pytest.raises(
        SetupError, match=r'needs unsloth, which is not installed: pip install -e "\.\[unsloth\]"'
    ):
        check_environment()
    assert SetupError.exit_code == 5


def test_a_version_conflict_names_the_pins_that_work(monkeypatch: pytest.MonkeyPatch) -> None:
    requires = [
        "trl!=0.19.0,<=1.15.0,>=0.18.2",
        "datasets<5.0.0,>=3.4.1",
        "torch<2.15.0,>=2.4.0",
        'xformers>=0.0.27.post2; "linux" in sys_platform and extra == "cu121"',  # an extra's: ignored
    ]
    versions = {"unsloth": "2026.10.9", "unsloth-zoo": "2026.10.9", "trl": "1.16.0", "datasets": "4.8.5"}
    _installed(monkeypatch, {**versions, "torch": "2.13.0+cpu"}, requires)
    with pytest.raises(SetupError) as caught:
        check_environment()
    message = str(caught.value)
    assert "needs trl!=0.19.0,<=1.15.0,>=0.18.2 but trl 1.16.0 is installed" in message
    assert "pip install 'trl==1.15.0'" in message and "datasets" not in message and "torch" not in message


def test_fast_inference_without_vllm_is_a_setup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _installed(monkeypatch, {"unsloth": "2026.10.9", "unsloth-zoo": "2026.10.9"}, [])
    monkeypatch.setattr(unsloth_setup.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SetupError, match="vLLM, which is not installed.*model.fast_inference=false"):
        check_environment(fast_inference=True)
    check_environment(fast_inference=False)  # the same environment is fine without it


def test_rollouts_use_the_engine_on_a_gpu_unless_unsloths_vllm_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under Unsloth ``auto`` is the engine on a CUDA GPU (2× faster steps than Unsloth's generation on an
    H200, benchmarks/README.md), TRL's path on CPU, and Unsloth's vLLM when the model carries it."""
    import torch

    from rlvr.rollout.choice import resolve_backend

    monkeypatch.setitem(sys.modules, "unsloth", types.ModuleType("unsloth"))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_backend("auto") == resolve_backend("hf") == resolve_backend("trl") == "hf"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_backend("auto") == resolve_backend("fast") == "fast"
    with_vllm = types.SimpleNamespace(vllm_engine=object())  # what fast_inference=true loads
    assert resolve_backend("auto", with_vllm) == "hf"
    assert resolve_backend("fast", with_vllm) == "fast"  # named: the trainer falls back, saying why
    with pytest.raises(ConfigError, match="model.fast_inference=true for Unsloth's vLLM, or"):
        resolve_backend("vllm")


def test_the_tokenizer_is_rlvrs_and_needs_no_unsloth(tiny_model_dir: Path) -> None:
    tokenizer = UnslothModel(str(tiny_model_dir), eos_token="<s>").load_tokenizer()
    assert tokenizer.padding_side == "left" and tokenizer.eos_token == "<s>"


def test_validation_imports_neither_unsloth_nor_torch(tmp_path: Path) -> None:
    result = run_cli(["model_component=unsloth", "model.lora.rank=8"], tmp_path, importtime=True)
    assert result.returncode == 2 and "model.lora.rank" in result.stderr
    assert result.heavy == [], f"validation imported {result.heavy}"


def test_trls_vllm_path_under_unsloth_is_refused_before_anything_loads(tmp_path: Path) -> None:
    result = run_cli(["model_component=unsloth", "train.rollout.backend=vllm"], tmp_path, importtime=True)
    assert result.returncode == 2, result.stderr
    assert "train.rollout.backend='vllm'" in result.stderr
    assert "model.fast_inference=true" in result.stderr and "train.rollout.backend=auto" in result.stderr
    assert result.heavy == [], f"validation imported {result.heavy}"
    fine = compose_config(["model_component=unsloth", "model.fast_inference=true"])
    validate_config(fine)  # Unsloth's own vLLM path is the way there


@pytest.mark.skipif(importlib.util.find_spec("unsloth") is not None, reason="unsloth is installed here")
def test_without_unsloth_the_cli_exits_5_with_the_install_command(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    args = ["model_component=unsloth", f"model.model_name_or_path={tiny_model_dir}"]
    result = run_cli(args, tmp_path, importtime=True)
    assert result.returncode == 5, result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("rlvr:")]
    assert 'pip install -e ".[unsloth]"' in line and "Traceback" not in result.stderr
    assert result.heavy == [], f"the environment check imported {result.heavy}"


def test_the_memory_plan_has_an_engine_copy_under_unsloth_unless_its_vllm_generates() -> None:
    from rlvr.models.memory import plan_from_settings

    cfg = compose_config(["model_component=unsloth", "model.load_in_4bit=true"])
    plan = plan_from_settings(dict(cfg.model), {}, cuda=True)
    assert (plan.weight_bytes, plan.inference_copy) == (0.53, True)  # auto = the engine on a GPU
    assert not plan_from_settings(dict(cfg.model), {}, cuda=False).inference_copy
    vllm = compose_config(["model_component=unsloth", "model.fast_inference=true"])
    assert not plan_from_settings(dict(vllm.model), {}, cuda=True).inference_copy
    named = plan_from_settings(dict(vllm.model), {"rollout": {"backend": "fast"}}, cuda=True)
    assert not named.inference_copy  # Unsloth sets use_vllm: the engine's trainer falls back to it


def test_make_test_unsloth_installs_the_pins_without_deps_then_runs_only_those_tests(tmp_path: Path) -> None:
    from tests.test_packaging import _make_dry_run, assert_in_order

    venv = tmp_path / "venv"
    steps = _make_dry_run("test-unsloth", f"UNSLOTH_VENV={venv}")
    expected = [
        f"-m venv {venv}",
        "pip install -q torch==2.13.0",
        'pip install -q -e ".[dev]"',
        '["optional-dependencies"]["unsloth"]',
        "pip install -q --no-deps $pins",
        f"{venv}/bin/pytest -m unsloth",
    ]
    assert_in_order(steps, expected)
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    unsloth_run = ci.index('make test-unsloth UNSLOTH_VENV="$unsloth_venv"')
    assert ci.index('make test VENV="$venv"') < ci.index('rm -rf "$unsloth_venv"') < unsloth_run
