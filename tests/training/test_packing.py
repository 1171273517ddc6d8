"""The lean training step computes what TRL's padded step computes (fp32, CPU).

For tiny models of three families (Llama; Qwen2, whose q/k/v projections carry a bias; Gemma-3, with
a sliding-window layer) and rows of very different lengths (a one-token completion, a completion at the
length limit, an empty-prompt-padding row): the packed forward's log-probs and entropies equal TRL's
``_get_per_token_logps_and_entropies``; and through a real ``GRPOTrainer`` every ``loss_type`` gives the
same loss and the same gradient for every parameter with ``train.packing`` off, trim and padding_free,
and with ``micro_batch_tokens`` for the losses that normalise over the whole batch.
"""

from __future__ import annotations

from contextlib import nullcontext
from types import SimpleNamespace

import pytest
import torch

from rlvr.training import packing
from rlvr.training.lean_step import packed_logps_and_entropies, unique_prompt_share
from rlvr.training.varlen_attention import use_varlen_attention

LOSS_TYPES = ("grpo", "dapo", "dr_grpo", "bnpo", "cispo", "sapo", "luspo", "vespo")
PROMPT_LENGTHS = (7, 7, 1, 4)  # rows 0 and 1: one GRPO group, one prompt
COMPLETION_LENGTHS = (1, 6, 6, 3)  # 6 = the length limit of the batch


def _llama():
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(
        LlamaConfig(
            vocab_size=40,
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            pad_token_id=0,
            tie_word_embeddings=False,
        )
    )


def _qwen2():
    from transformers import Qwen2Config, Qwen2ForCausalLM

    return Qwen2ForCausalLM(
        Qwen2Config(
            vocab_size=40,
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            pad_token_id=0,
        )
    )


def _gemma3():
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(
        vocab_size=40,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=8,
        pad_token_id=0,
        sliding_window=4,
        layer_types=["sliding_attention", "full_attention"],
    )
    return Gemma3ForCausalLM(config)


FAMILIES = {"llama": _llama, "qwen2": _qwen2, "gemma3": _gemma3}


def _model(family: str):
    from trl.trainer.utils import add_fused_lm_head

    torch.manual_seed(0)
    model = FAMILIES[family]().float()
    model.config._attn_implementation = "sdpa"
    add_fused_lm_head(model, outputs=("log_probs", "entropy"))
    return model


def micro_batch(seed: int = 0) -> dict[str, torch.Tensor]:
    """TRL's layout: prompts left-padded, completions right-padded, per-token tensors of the completion
    width; rows 0 and 1 share a prompt (one GRPO group)."""
    generator = torch.Generator().manual_seed(seed)
    rows = len(PROMPT_LENGTHS)
    width_p, width_c = max(PROMPT_LENGTHS) + 2, max(COMPLETION_LENGTHS) + 2  # extra all-pad columns
    prompt_ids = torch.zeros(rows, width_p, dtype=torch.long)
    prompt_mask = torch.zeros_like(prompt_ids)
    completion_ids = torch.zeros(rows, width_c, dtype=torch.long)
    completion_mask = torch.zeros_like(completion_ids)
    for row, (p, c) in enumerate(zip(PROMPT_LENGTHS, COMPLETION_LENGTHS, strict=True)):
        prompt_ids[row, width_p - p :] = torch.randint(4, 40, (p,), generator=generator)
        prompt_mask[row, width_p - p :] = 1
        completion_ids[row, :c] = torch.randint(4, 40, (c,), generator=generator)
        completion_mask[row, :c] = 1
    prompt_ids[1], prompt_mask[1] = prompt_ids[0].clone(), prompt_mask[0].clone()
    return {
        "prompt_ids": prompt_ids,
        "prompt_mask": prompt_mask,
        "completion_ids": completion_ids,
        "completion_mask": completion_mask,
        "advantages": torch.randn(rows, generator=generator),
        "old_per_token_logps": -torch.rand(rows, width_c, generator=generator) * completion_mask,
        "num_items_in_batch": completion_mask.sum(),
    }


def test_trim_drops_only_all_pad_columns():
    batch = micro_batch()
    trimmed = packing.trim_micro_batch(batch)
    assert trimmed["prompt_ids"].shape == (4, max(PROMPT_LENGTHS))
    assert trimmed["completion_ids"].shape == (4, max(COMPLETION_LENGTHS))
    assert trimmed["old_per_token_logps"].shape == (4, max(COMPLETION_LENGTHS))
    assert int(trimmed["prompt_mask"].sum()) == int(batch["prompt_mask"].sum())
    assert int(trimmed["completion_mask"].sum()) == int(batch["completion_mask"].sum())
    assert torch.equal(trimmed["advantages"], batch["advantages"])


def test_pack_rows_restarts_positions_and_shifts_labels_inside_rows():
    ids = torch.tensor([[0, 5, 6, 7, 8, 0], [9, 10, 11, 12, 0, 0]])
    mask = torch.tensor([[0, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0]])
    packed = packing.pack_rows(ids, mask, logits_to_keep=3)  # the last 3 columns are the completion
    assert packed.input_ids.tolist() == [[5, 6, 7, 8, 9, 10, 11, 12]]
    assert packed.position_ids.tolist() == [[0, 1, 2, 3, 0, 1, 2, 3]]
    # Row 0 scores tokens 7 and 8 (columns 3, 4), row 1 scores 12 (column 3); no label crosses rows.
    assert packed.shift_labels.tolist() == [[-100, 7, 8, -100, -100, -100, 12, -100]]
    assert packed.cu_seqlens.tolist() == [0, 4, 8]
    values = torch.arange(1.0, 9.0).unsqueeze(0)
    assert packing.unpack_per_token(packed, values).tolist() == [[2.0, 3.0, 0.0], [7.0, 0.0, 0.0]]


def test_token_budget_chunks_cover_every_row_once_within_the_budget():
    batch = micro_batch()
    lengths = packing.row_tokens(batch).tolist()
    for path in ("padding_free", "trim"):
        padding_free = path == "padding_free"
        chunks = packing.token_budget_chunks(batch, budget=12, path=path)
        seen = sorted(round(float(a), 6) for chunk in chunks for a in chunk["advantages"])
        assert seen == sorted(round(float(a), 6) for a in batch["advantages"])
        for chunk in chunks:
            rows = packing.row_tokens(chunk)
            cost = int(rows.sum()) if padding_free else len(rows) * int(rows.max())
            assert cost <= 12 or len(rows) == 1
    assert len(packing.token_budget_chunks(batch, budget=10**6, path="padding_free")) == 1
    assert len(packing.token_budget_chunks(batch, budget=1, path="padding_free")) == len(lengths)
    # prefix: a prompt group is never split across chunks
    for chunk in packing.token_budget_chunks(batch, budget=1, path="prefix"):
        rows = {tuple(r.tolist()) for r in chunk["prompt_ids"]}
        assert len(rows) == 1


def test_unique_prompt_share_counts_a_shared_prompt_once():
    batch = micro_batch()
    total = int(batch["prompt_mask"].sum())
    expected = (total - PROMPT_LENGTHS[0]) / total  # rows 0 and 1 share one prompt
    assert unique_prompt_share(batch["prompt_ids"], batch["prompt_mask"]) == pytest.approx(expected)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_packed_forward_equals_trls_padded_forward(family):
    from trl import GRPOTrainer

    model = _model(family)
    batch = micro_batch()
    ids = torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1)
    mask = torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1)
    keep = batch["completion_ids"].size(1)
    fake = SimpleNamespace(accelerator=SimpleNamespace(autocast=nullcontext, is_main_process=True))
    want_logps, want_entropy, _ = GRPOTrainer._get_per_token_logps_and_entropies(
        fake, model, ids, mask, keep, compute_entropy=True
    )
    scored = batch["completion_mask"].bool()
    for path in ("padding_free", "prefix"):
        if path == "prefix":
            use_varlen_attention(model)  # the prefix layout's attention (per segment on CPU)
        got_logps, got_entropy, _ = packed_logps_and_entropies(fake, model, ids, mask, keep, True, path)
        torch.testing.assert_close(got_logps[scored], want_logps[scored], atol=1e-5, rtol=1e-5, msg=path)
        torch.testing.assert_close(got_entropy[scored], want_entropy[scored], atol=1e-5, rtol=1e-5, msg=path)
        assert torch.all(got_logps[~scored] == 0)


def _trainer(tmp_path, tiny_model_dir, lora: bool, **loop):
    from peft import LoraConfig

    from tests.tiny_grpo import tiny_loop, tiny_trainer

    peft = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0) if lora else None
    trainer = tiny_trainer(tiny_loop(**loop), tiny_model_dir, tmp_path, peft_config=peft)
    trainer.current_gradient_accumulation_steps = 1
    trainer.model.train()
    return trainer


def _loss_and_grads(trainer, batch, packing_path, loss_type, budget=None):
    trainer._packing, trainer._micro_batch_tokens, trainer.loss_type = packing_path, budget, loss_type
    trainer.model.zero_grad(set_to_none=True)
    torch.manual_seed(0)
    inputs = batch if packing_path == "off" else packing.trim_micro_batch(batch)
    loss = trainer.compute_loss(trainer.model, inputs)
    trainer.accelerator.backward(trainer._scale_like_trainer(loss, None))
    grads = {n: p.grad.detach().clone() for n, p in trainer.model.named_parameters() if p.grad is not None}
    return loss.detach(), grads


@pytest.mark.parametrize("lora", [False, True], ids=["full", "lora"])
def test_every_loss_type_gives_the_same_loss_and_gradients_on_every_path(tmp_path, tiny_model_dir, lora):
    trainer = _trainer(tmp_path, tiny_model_dir, lora, packing="off")
    use_varlen_attention(trainer.model)  # the prefix path's attention; without a layout it is SDPA
    vocab = trainer.model.config.vocab_size
    batch = micro_batch()
    for key in ("prompt_ids", "completion_ids"):
        batch[key] = batch[key] % vocab
    for loss_type in LOSS_TYPES:
        want_loss, want = _loss_and_grads(trainer, batch, "off", loss_type)
        assert want, "no parameter received a gradient"
        paths = [("trim", None), ("padding_free", None), ("prefix", None)]
        if loss_type in ("dapo", "cispo", "vespo"):  # grouping by tokens is only offered for these
            paths += [("trim", 12), ("padding_free", 12), ("prefix", 12)]
        for path, budget in paths:
            loss, grads = _loss_and_grads(trainer, batch, path, loss_type, budget)
            torch.testing.assert_close(
                loss, want_loss, atol=1e-5, rtol=1e-5, msg=f"{loss_type} {path} {budget}"
            )
            assert grads.keys() == want.keys()
            for name in want:
                torch.testing.assert_close(
                    grads[name], want[name], atol=1e-5, rtol=1e-4, msg=f"{loss_type} {path} {budget}: {name}"
                )


def test_whole_runs_give_the_same_losses_and_rewards_on_every_path(tmp_path, tiny_model_dir):
    from tests.tiny_grpo import logged_steps, tiny_loop, tiny_trainer

    keys = ("loss", "reward", "grad_norm")
    runs = {}
    for path in ("off", "trim", "padding_free", "prefix"):
        trainer = tiny_trainer(tiny_loop(packing=path, max_steps=2), tiny_model_dir, tmp_path / path)
        trainer.train()
        runs[path] = logged_steps(trainer, keys)
        forwarded = [
            e["train/tokens_forwarded"] for e in trainer.state.log_history if "train/tokens_forwarded" in e
        ]
        real = [e["train/real_tokens"] for e in trainer.state.log_history if "train/real_tokens" in e]
        assert len(forwarded) == 2 and all(r > 0 for r in real)
        if path in ("off", "trim"):
            assert all(f >= r for f, r in zip(forwarded, real, strict=True))
        if path == "padding_free":
            assert forwarded == real  # only real tokens are forwarded
        if path == "prefix":  # a group's prompt once: fewer tokens than the rows hold
            assert all(f < r for f, r in zip(forwarded, real, strict=True))
    for path in ("trim", "padding_free", "prefix"):
        assert runs[path].keys() == runs["off"].keys() == {1, 2}
        for step, values in runs["off"].items():
            for key in keys:
                assert runs[path][step][key] == pytest.approx(values[key], rel=1e-4, abs=1e-6), (
                    path,
                    step,
                    key,
                )
