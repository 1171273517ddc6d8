"""The rollout engine generates what TRL's regular path generates, from the policy's current weights.

All on CPU with the tiny offline Llama in float32, where both paths compute the same logits: greedy
completions are identical to ``generate``; sampled ones are identical token for token at the same seed
(same filters, same ``torch.multinomial`` draws); EOS cuts and pads as TRL does; a weight change reaches
the engine only through ``sync``; a merged LoRA adapter gives the adapter's own logits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from rlvr.rollout import RolloutEngine, SamplingSettings  # noqa: E402
from rlvr.rollout.weights import merged_weights  # noqa: E402

EOS, PAD = 3, 0
PROMPTS = [[10, 11, 12, 13, 14, 15, 16], [20, 21], [30, 31, 32, 33]]  # different lengths: left padding


@pytest.fixture
def policy(tiny_model_dir: Path):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()


def reference(policy, prompts, settings: SamplingSettings, seed: int = 0) -> list[list[int]]:
    """transformers' ``generate`` on the left-padded batch, cut after the first EOS like TRL's path."""
    width = max(map(len, prompts))
    ids = torch.tensor([[PAD] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    torch.manual_seed(seed)
    out = policy.generate(
        input_ids=ids,
        attention_mask=mask,
        max_new_tokens=settings.max_new_tokens,
        do_sample=settings.do_sample,
        temperature=settings.temperature,
        top_k=settings.top_k or 0,
        top_p=settings.top_p,
        min_p=settings.min_p,
        pad_token_id=PAD,
        eos_token_id=EOS,
    )[:, width:]
    rows = []
    for row in out.tolist():
        end = row.index(EOS) if EOS in row else len(row) - 1
        rows.append(row[: end + 1])
    return rows


def engine_output(engine, prompts, settings: SamplingSettings, seed: int = 0) -> list[list[int]]:
    torch.manual_seed(seed)
    return engine.generate(prompts, settings)


def test_greedy_matches_generate(policy) -> None:
    settings = SamplingSettings(max_new_tokens=12, do_sample=False)
    engine = RolloutEngine(policy, PAD, [EOS])
    assert engine_output(engine, PROMPTS, settings) == reference(policy, PROMPTS, settings)


@pytest.mark.parametrize(
    "filters",
    [
        {},  # TRL's defaults: plain softmax sampling
        {"temperature": 0.7, "top_k": 20},
        {"temperature": 1.3, "top_p": 0.9},
        {"min_p": 0.05},
    ],
)
def test_sampling_matches_generate_at_a_fixed_seed(policy, filters: dict) -> None:
    settings = SamplingSettings(max_new_tokens=16, **filters)
    engine = RolloutEngine(policy, PAD, [EOS])
    prompts = PROMPTS * 4
    got = engine_output(engine, prompts, settings, seed=7)
    assert got == reference(policy, prompts, settings, seed=7)
    assert len({tuple(row) for row in got}) > 3  # really sampled, not one repeated answer


def test_eos_ends_a_row_and_the_call_stops_when_all_rows_ended(policy) -> None:
    # Make EOS the greedy choice after one step: raise its output bias by editing lm_head's row.
    with torch.no_grad():
        policy.lm_head.weight[EOS] = 0
        policy.lm_head.weight[EOS, :] = policy.model.embed_tokens.weight.abs().max() * 50
    settings = SamplingSettings(max_new_tokens=40, do_sample=False)
    engine = RolloutEngine(policy, PAD, [EOS], check_every=4)
    got = engine.generate(PROMPTS, settings)
    assert got == reference(policy, PROMPTS, settings)
    assert all(row[-1] == EOS and EOS not in row[:-1] for row in got)


def test_rows_without_eos_run_to_the_limit() -> None:
    from rlvr.rollout.engine import _cut_after_eos

    tokens = torch.tensor([[5, 6, 7], [5, EOS, PAD], [EOS, PAD, PAD]])
    assert _cut_after_eos(tokens, [EOS]) == [[5, 6, 7], [5, EOS], [EOS]]


def test_weight_change_reaches_the_engine_only_through_sync(policy) -> None:
    settings = SamplingSettings(max_new_tokens=10, do_sample=False)
    engine = RolloutEngine(policy, PAD, [EOS])
    before = engine.generate(PROMPTS, settings)
    with torch.no_grad():
        for param in policy.parameters():
            param.add_(torch.randn_like(param) * 0.5)
    assert engine.generate(PROMPTS, settings) == before  # the copy is independent of the policy
    engine.sync(policy)
    after = engine.generate(PROMPTS, settings)
    assert after != before and after == reference(policy, PROMPTS, settings)


def test_merged_lora_gives_the_adapter_logits(policy) -> None:
    from peft import LoraConfig, get_peft_model

    peft_model = get_peft_model(
        policy, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear")
    )
    with torch.no_grad():  # LoRA B starts at zero: give the adapter a real effect
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    engine = RolloutEngine(peft_model, PAD, [EOS])
    ids = torch.tensor([PROMPTS[0]])
    with torch.no_grad():
        expected = peft_model(input_ids=ids).logits
        got = engine.model(input_ids=ids).logits
        base = peft_model.get_base_model()
        with peft_model.disable_adapter():
            plain = base(input_ids=ids).logits
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)
    assert not torch.allclose(plain, expected, atol=1e-3)  # the adapter mattered
    assert not any(".base_layer." in n or "lora_" in n for n in merged_weights(peft_model))
    assert all(p.requires_grad for n, p in peft_model.named_parameters() if "lora_" in n)  # untouched


def test_empty_batch() -> None:
    assert RolloutEngine.generate.__doc__  # documented
    engine = object.__new__(RolloutEngine)
    assert engine.generate([], SamplingSettings(max_new_tokens=4)) == []


def test_one_cache_serves_prompts_of_other_lengths(policy) -> None:
    settings = SamplingSettings(max_new_tokens=8, do_sample=False)
    engine = RolloutEngine(policy, PAD, [EOS])
    long_prompts = [list(range(10, 80)), [20, 21]]  # 70 tokens: a bigger prompt bucket first
    assert engine.generate(long_prompts, settings) == reference(policy, long_prompts, settings)
    shape = engine._cache_shape
    assert engine.generate(PROMPTS[:2], settings) == reference(policy, PROMPTS[:2], settings)
    assert engine._cache_shape == shape  # reused, not reallocated: no new compiled graph


def test_sampled_tokens_come_with_their_log_probs(policy) -> None:
    """``with_logprobs``: the same tokens as without (same seed), each with its log-probability under the
    tempered distribution, as a teacher-forced forward of the policy computes it."""
    settings = SamplingSettings(max_new_tokens=10, temperature=0.8)
    engine = RolloutEngine(policy, PAD, [EOS])
    plain = engine_output(engine, PROMPTS, settings, seed=3)
    torch.manual_seed(3)
    completions, logprobs = engine.generate(PROMPTS, settings, with_logprobs=True)
    assert completions == plain
    assert [len(lp) for lp in logprobs] == [len(c) for c in completions]
    for prompt, completion, got in zip(PROMPTS, completions, logprobs, strict=True):
        ids = torch.tensor([prompt + completion])
        with torch.no_grad():
            logits = policy(ids).logits[0, len(prompt) - 1 : -1] / 0.8
        expected = logits.log_softmax(-1).gather(-1, torch.tensor(completion)[:, None])[:, 0]
        assert got == pytest.approx(expected.tolist(), abs=1e-4)


def test_grouped_decode_attention_equals_sdpa_on_expanded_heads() -> None:
    """One query token against a cache: 6 query heads on 2 KV heads, left padding in the mask."""
    import torch.nn.functional as F

    from rlvr.rollout.attention import grouped_decode_attention

    torch.manual_seed(0)
    rows, heads, kv_heads, cache, dim = 3, 6, 2, 9, 8
    query = torch.randn(rows, heads, 1, dim)
    key, value = torch.randn(rows, kv_heads, cache, dim), torch.randn(rows, kv_heads, cache, dim)
    mask = torch.ones(rows, 1, 1, cache, dtype=torch.bool)
    mask[0, ..., :4] = False  # row 0: four padded positions
    mask[2, ..., -2:] = False  # row 2: cache slots not written yet
    out, _ = grouped_decode_attention(None, query, key, value, mask, scaling=0.3)
    expanded = [t.repeat_interleave(heads // kv_heads, dim=1) for t in (key, value)]
    expected = F.scaled_dot_product_attention(query, *expanded, attn_mask=mask, scale=0.3).transpose(1, 2)
    assert out.shape == (rows, 1, heads, dim)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_grouped_and_sdpa_decode_give_the_same_completions(policy) -> None:
    settings = SamplingSettings(max_new_tokens=12, do_sample=True, temperature=0.9)
    outputs = {}
    for choice in ("grouped", "sdpa"):
        engine = RolloutEngine(policy, PAD, [EOS], compile=False, decode_attention=choice)
        torch.manual_seed(1)
        outputs[choice] = engine.generate(PROMPTS, settings, with_logprobs=True)
    (tokens_a, logps_a), (tokens_b, logps_b) = outputs["grouped"], outputs["sdpa"]
    assert tokens_a == tokens_b
    for a, b in zip(logps_a, logps_b, strict=True):
        torch.testing.assert_close(torch.tensor(a), torch.tensor(b), rtol=1e-4, atol=1e-5)


def test_keyed_draws_depend_on_the_row_key_alone() -> None:
    from rlvr.rollout.sampling import next_tokens

    torch.manual_seed(0)
    logits = torch.randn(4, 50)
    keys = torch.tensor([11, 22, 33, 44])
    settings = SamplingSettings(max_new_tokens=1, temperature=0.7)
    together = next_tokens(logits, settings, keys=keys, step=5)
    alone = [int(next_tokens(logits[r : r + 1], settings, keys=keys[r : r + 1], step=5)) for r in range(4)]
    assert together.tolist() == alone
    torch.manual_seed(99)  # the global RNG plays no part
    assert next_tokens(logits, settings, keys=keys, step=5).tolist() == alone
    flat = torch.zeros(1, 50)  # uniform: each step's fresh noise picks another token
    picks = {int(next_tokens(flat, settings, keys=keys[:1], step=step)) for step in range(20)}
    assert len(picks) > 10


def test_the_key_hash_gives_the_same_numbers_for_ints_and_tensors() -> None:
    """Row keys are hashed in Python (``row_key``) and on the device (``keyed_noise``) by one function;
    int64 products overflow on the device, and the low 32 bits that are kept must still agree."""
    from rlvr.rollout.sampling import _mix

    values = [0, 1, 7, 12345, 0x7FFFFFFF, 0xFFFFFFFF, 0x9E3779B1]
    hashed = [_mix(v) for v in values]
    assert _mix(torch.tensor(values, dtype=torch.int64)).tolist() == hashed
    assert len(set(hashed)) == len(values) and all(0 <= h <= 0xFFFFFFFF for h in hashed)


def test_keyed_draws_follow_the_softmax_and_the_filters() -> None:
    from rlvr.rollout.sampling import next_tokens

    probs = torch.tensor([0.1, 0.2, 0.3, 0.4])
    rows = 8000
    logits = probs.log().expand(rows, 4)
    keys = torch.arange(rows)
    counts = torch.bincount(next_tokens(logits, SamplingSettings(1), keys=keys, step=0), minlength=4)
    assert torch.allclose(counts / rows, probs, atol=0.02), counts
    top2 = next_tokens(logits, SamplingSettings(1, top_k=2), keys=keys, step=0)
    assert set(top2.tolist()) == {2, 3}
    share = (top2 == 3).float().mean()
    assert abs(float(share) - 0.4 / 0.7) < 0.02


def test_engine_keyed_rows_do_not_depend_on_their_batch(policy) -> None:
    settings = SamplingSettings(max_new_tokens=10, temperature=1.0)
    engine = RolloutEngine(policy, PAD, [EOS], compile=False)
    torch.manual_seed(0)
    together = engine.generate(PROMPTS, settings, row_keys=[7, 8, 9])
    torch.manual_seed(1)
    alone = engine.generate([PROMPTS[1]], settings, row_keys=[8])
    assert alone == [together[1]]


def _foreign_forward(self, *args, **kwargs):
    raise AssertionError("the inference copy ran a patched forward")


class _ForeignRotaryEmbedding(torch.nn.Module):
    def __init__(self, *args, **kwargs):
        raise AssertionError("the inference copy built a swapped-in rotary embedding")


def test_a_policy_class_patched_elsewhere_still_gets_transformers_own_copy(policy, monkeypatch) -> None:
    """Unsloth replaces forward on transformers' Llama classes process-wide and swaps the module's rotary
    embedding class (its pre_patch); the engine's copy is built from an unpatched execution of the
    modeling file and decodes exactly as before."""
    from transformers.models.llama import modeling_llama

    from rlvr.rollout.unpatched import patched_forwards

    settings = SamplingSettings(max_new_tokens=12, do_sample=False)
    expected = reference(policy, PROMPTS, settings)
    assert patched_forwards(policy) == []
    for cls in (modeling_llama.LlamaAttention, modeling_llama.LlamaModel, modeling_llama.LlamaForCausalLM):
        monkeypatch.setattr(cls, "forward", _foreign_forward)
    monkeypatch.setattr(modeling_llama, "LlamaRotaryEmbedding", _ForeignRotaryEmbedding)
    assert patched_forwards(policy) == [
        f"{name}.forward ({__name__})" for name in ("LlamaForCausalLM", "LlamaModel", "LlamaAttention")
    ]
    with pytest.raises(AssertionError, match="patched forward"):  # what a copy of the same class would do
        policy(input_ids=torch.tensor([PROMPTS[0]]))
    engine = RolloutEngine(policy, PAD, [EOS])
    assert type(engine.model).__module__ == modeling_llama.__name__ + "_rlvr_unpatched"
    assert engine_output(engine, PROMPTS, settings) == expected
