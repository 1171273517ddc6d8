"""GRPO with ``train.rollout.backend=fast`` trains exactly like TRL's own generation path.

Same tiny model, data, rewards and seed: the per-step rewards, completion lengths and losses of three
optimizer steps agree between the two backends — full fine-tuning and LoRA (dropout 0, so the two
samplers see the same policy) — and the engine's weights follow every optimizer step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rlvr.rewards import RewardSet
from tests.tiny_grpo import logged_steps, tiny_loop, tiny_trainer

KEYS = ("reward", "completions/mean_length", "loss", "grad_norm", "rewards/digit_share/mean")


def train(model_dir: Path, out: Path, backend: str, lora: bool) -> tuple[Any, list[dict[str, Any]]]:
    from peft import LoraConfig

    loop = tiny_loop(rollout={"backend": backend}, max_completion_length=12)
    peft = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules="all-linear") if lora else None
    trainer = tiny_trainer(loop, model_dir, out, peft_config=peft)
    trainer.train()
    return trainer, list(logged_steps(trainer, KEYS).values())


@pytest.mark.slow
@pytest.mark.parametrize("lora", [False, True], ids=["full", "lora"])
def test_fast_backend_trains_like_trl(tiny_model_dir: Path, tmp_path: Path, lora: bool) -> None:
    reference_trainer, reference = train(tiny_model_dir, tmp_path / "hf", "hf", lora)
    fast_trainer, fast = train(tiny_model_dir, tmp_path / "fast", "fast", lora)
    # rlvr's training-step mixins over TRL's GRPOTrainer, and over the fast-rollout subclass for "fast"
    reference_bases = [c.__name__ for c in type(reference_trainer).__mro__]
    fast_bases = [c.__name__ for c in type(fast_trainer).__mro__]
    assert "GRPOTrainer" in reference_bases and "FastRolloutGRPOTrainer" not in reference_bases
    assert fast_bases.index("FastRolloutGRPOTrainer") == fast_bases.index("GRPOTrainer") - 1
    assert len(fast) == len(reference) == 3
    for got, expected in zip(fast, reference, strict=True):
        assert got == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert all(e["grad_norm"] > 0 for e in fast)  # the policy moved every step, and steps 2-3 still
    # sampled what TRL sampled from the moved policy: the engine's copy followed each optimizer step.
    assert fast_trainer._rollout_engine_step == fast_trainer.state.global_step - 1


def test_unsupported_settings_fall_back_to_trl(tiny_model_dir: Path, tmp_path: Path, capsys) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from rlvr.training import GRPOTrainingLoop

    loop = GRPOTrainingLoop(
        rollout={"backend": "fast"},
        repetition_penalty=1.2,
        per_device_train_batch_size=2,
        num_generations=2,
        max_completion_length=4,
        bf16=False,
        report_to="none",
    )
    trainer = loop.build_trainer(
        AutoModelForCausalLM.from_pretrained(tiny_model_dir),
        AutoTokenizer.from_pretrained(tiny_model_dir),
        Dataset.from_list([{"prompt": "q"}] * 4),
        RewardSet([{"_target_": "tests.scorers_for_tests.digit_share"}]).functions,
        [1.0],
        output_dir=tmp_path,
    )
    ids, logprobs = trainer._generate_single_turn([[10, 11], [12]], None, {}, 2)
    assert len(ids) == 2 and logprobs is None
    assert "falls back to TRL's generation: train.repetition_penalty=1.2" in capsys.readouterr().err
    assert getattr(trainer, "_rollout_engine", None) is None


@pytest.mark.slow
def test_the_sampler_trainer_log_prob_gap_is_logged(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Every ``logprob_gap_every`` steps: |trainer − sampler| log-prob per token. Both sides are the same
    fp32 weights on CPU (no dropout), so the gap is ~0; measuring it leaves the run's rollouts unchanged."""
    loop = tiny_loop(rollout={"backend": "fast", "logprob_gap_every": 2}, max_completion_length=12)
    trainer = tiny_trainer(loop, tiny_model_dir, tmp_path / "gap")
    trainer.train()
    gaps = {e["step"]: e for e in trainer.state.log_history if "rollout/logprob_gap/mean" in e}
    assert sorted(gaps) == [1, 3]  # measured at the rollouts of global steps 0 and 2
    for entry in gaps.values():
        assert 0 <= entry["rollout/logprob_gap/mean"] <= entry["rollout/logprob_gap/max"] < 1e-3
    off = tiny_loop(rollout={"backend": "fast", "logprob_gap_every": 0}, max_completion_length=12)
    plain = tiny_trainer(off, tiny_model_dir, tmp_path / "plain")
    plain.train()
    assert not any("rollout/logprob_gap/mean" in e for e in plain.state.log_history)
    without = logged_steps(plain, KEYS).values()
    for got, expected in zip(logged_steps(trainer, KEYS).values(), without, strict=True):
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-7)


def test_the_gap_is_dropped_with_a_warning_when_the_trainer_gives_no_log_probs(
    tiny_model_dir: Path, tmp_path: Path, capsys
) -> None:
    """Unsloth's GRPO trainer on a GPU returns hidden states from ``_get_per_token_logps_and_entropies``
    (its fused loss scores them): the gap cannot be measured, so the run says why once and trains on."""
    import torch

    loop = tiny_loop(rollout={"backend": "fast", "logprob_gap_every": 1}, max_completion_length=12)
    trainer = tiny_trainer(loop, tiny_model_dir, tmp_path / "hidden")

    def hidden_states(model, input_ids, attention_mask, logits_to_keep, batch_size=None, **_):
        return torch.zeros(input_ids.shape[0], input_ids.shape[1], 8), None, None

    trainer._get_per_token_logps_and_entropies = hidden_states
    ids, logprobs = trainer._generate_single_turn([[10, 11], [12]], None, {}, 2)
    assert len(ids) == 2 and logprobs is None
    err = capsys.readouterr().err
    assert "rollout/logprob_gap is not logged" in err
    assert "returned (" in err and "train.rollout.logprob_gap_every=0" in err
    assert trainer._gap_every == 0 and not trainer._gap_due()
    trainer._generate_single_turn([[10, 11], [12]], None, {}, 2)
    assert "logprob_gap" not in capsys.readouterr().err  # said once
