"""The reproducibility manifest holds what a re-run needs, and no writer lets a secret through."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from rlvr.manifest import build_manifest, git_state, write_manifest
from rlvr.redaction import MASK, is_secret_name, redact, redact_override
from rlvr.run_dir import RunDir
from tests.conftest import ROOT

ENV_SECRET = "hf_env_secret_abcdef123456"
CONFIG_SECRET = "wandb-config-secret-987654"
DATA_INFO = {
    "task": "gsm8k",
    "source": "pkg://rlvr/data/builtin/smoke_math_train.jsonl",
    "sha256": "7af008d261f5b220",
    "eval_source": "pkg://rlvr/data/builtin/smoke_math_test.jsonl",
    "eval_sha256": "97761e39c2a7bb4e",
    "splits": {"train": {"rows": 32}, "eval": {"rows": 8}},
    "fingerprint": "be1bd9ebf24dae47",
}


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("WANDB_API_KEY", True),
        ("hub_token", True),
        ("HF_TOKEN", True),
        ("token", True),
        ("db_password", True),
        ("client_secret", True),
        ("eos_token", False),  # a special token's text, not a credential
        ("pad_token", False),
        ("max_prompt_tokens", False),
        ("max_completion_length", False),
        ("metric_for_best", False),
        ("tokenizer", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_redact_masks_secret_keys_and_known_secret_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", ENV_SECRET)
    config = {
        "model": {"eos_token": "<|im_end|>", "path": f"https://x/{ENV_SECRET}/model"},
        "train": {"hub_token": CONFIG_SECRET, "push_to_hub_token": None},
        "list": [{"api_key": "abc"}],
    }
    assert redact(config) == {
        "model": {"eos_token": "<|im_end|>", "path": f"https://x/{MASK}/model"},
        "train": {"hub_token": MASK, "push_to_hub_token": None},
        "list": [{"api_key": MASK}],
    }
    assert redact_override(f"++train.hub_token={CONFIG_SECRET}") == f"++train.hub_token={MASK}"
    assert redact_override("train.max_steps=2") == "train.max_steps=2"


def test_run_dir_config_snapshots_are_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_API_KEY", ENV_SECRET)
    hydra = tmp_path / ".hydra"
    hydra.mkdir()
    (hydra / "overrides.yaml").write_text(f"- ++train.hub_token={CONFIG_SECRET}\n- seed=1\n")
    (hydra / "config.yaml").write_text(f"train:\n  hub_token: {CONFIG_SECRET}\nkey_from_env: {ENV_SECRET}\n")
    cfg = OmegaConf.create({"train": {"hub_token": CONFIG_SECRET}, "seed": 1, "env": ENV_SECRET})
    config = RunDir(tmp_path).write_config(cfg)
    assert config == {"train": {"hub_token": MASK}, "seed": 1, "env": MASK}
    for path in (tmp_path / "resolved_config.yaml", hydra / "overrides.yaml", hydra / "config.yaml"):
        text = path.read_text()
        assert CONFIG_SECRET not in text and ENV_SECRET not in text and MASK in text, path
    assert "seed=1" in (hydra / "overrides.yaml").read_text()


def test_manifest_holds_what_a_rerun_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["run_pipeline.py", "experiment=smoke", "train.max_steps=3"])
    monkeypatch.setenv("HF_TOKEN", ENV_SECRET)
    config = {"seed": 42, "train": {"max_steps": 3, "data_seed": 7, "hub_token": CONFIG_SECRET}}
    path = write_manifest(RunDir(tmp_path), config, DATA_INFO)
    manifest = json.loads(path.read_text())
    assert manifest["command"] == ["run_pipeline.py", "experiment=smoke", "train.max_steps=3"]
    assert manifest["rerun"] == "python run_pipeline.py experiment=smoke train.max_steps=3"
    assert manifest["config"]["train"] == {"max_steps": 3, "data_seed": 7, "hub_token": MASK}
    assert manifest["seeds"] == {"seed": 42, "train.data_seed": 7}
    assert manifest["data"] == {
        "source": DATA_INFO["source"],
        "sha256": "7af008d261f5b220",
        "eval_source": DATA_INFO["eval_source"],
        "eval_sha256": "97761e39c2a7bb4e",
        "fingerprint": "be1bd9ebf24dae47",
        "rows": {"train": 32, "eval": 8},
    }
    for package in ("torch", "transformers", "trl", "peft", "datasets", "accelerate", "hydra-core", "rlvr"):
        assert re.match(r"\d+\.\d+", manifest["packages"][package]), package
    assert manifest["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert manifest["hardware"]["cpu_cores"] >= 1
    if (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", manifest["git"]["commit"])
        assert isinstance(manifest["git"]["dirty"], bool)
    assert ENV_SECRET not in path.read_text() and CONFIG_SECRET not in path.read_text()


def test_manifest_outside_a_git_checkout(tmp_path: Path) -> None:
    assert git_state(tmp_path) == {"commit": None, "dirty": None}
    assert build_manifest({})["seeds"] == {"seed": None}


def test_modes_without_training_write_a_manifest_too(tmp_path: Path) -> None:
    from rlvr.modes import run
    from tests.conftest import compose_config

    cfg = compose_config(["mode=score", "input=pkg://rlvr/data/builtin/sample_completions.jsonl"])
    run(cfg, RunDir(tmp_path))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["config"]["mode"] == "score" and manifest["config"]["input"].endswith("completions.jsonl")
