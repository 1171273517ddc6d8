"""Dynamic sampling on a real ``GRPOTrainer`` (tiny model, CPU): groups without reward spread are dropped
and refilled, the kept groups train exactly as a batch of them alone would, and the round cap ends the
refill loop with a step that still trains."""

from __future__ import annotations

import math

import torch

from rlvr.rewards import RewardSet
from rlvr.training.dynamic_sampling import informative, merge_groups, select_group
from tests.tiny_grpo import tiny_loop, tiny_trainer

ODD_FLAT = RewardSet([{"_target_": "tests.scorers_for_tests.flat_on_odd_answers"}])
CONSTANT = RewardSet([{"_target_": "tests.scorers_for_tests.constant"}])


def _trainer(tmp_path, tiny_model_dir, rewards, **dynamic):
    loop = tiny_loop(
        per_device_train_batch_size=8,
        num_generations=2,
        max_completion_length=12,
        loss_type="dapo",
        packing="off",
        dynamic_sampling={"enabled": True, **dynamic},
    )
    trainer = tiny_trainer(loop, tiny_model_dir, tmp_path, prompts=40, rewards=rewards)
    trainer.model.train()
    return trainer


def _groups(trainer, numbers):
    return [
        {"prompt": f"question {n}", "answer": str(n)} for n in numbers for _ in range(trainer.num_generations)
    ]


def test_informative_needs_spread_above_min_std():
    grouped = torch.tensor([[1.0, 1.0], [0.0, 1.0], [0.2, 0.3], [float("nan"), 1.0]])
    assert informative(grouped, 0.0) == [False, True, True, False]
    assert informative(grouped, 0.1) == [False, True, False, False]


def test_flat_groups_are_dropped_and_refilled_with_informative_ones(tmp_path, tiny_model_dir):
    trainer = _trainer(tmp_path, tiny_model_dir, ODD_FLAT, max_rounds=20)
    out = trainer._generate_and_score_completions(_groups(trainer, [1, 2, 3, 4]))  # two flat groups
    assert out["prompt_ids"].size(0) == 8  # as many rows as were asked for
    rewards = []
    for group in range(4):
        rows = select_group(out, group, 2)
        assert rows["completion_mask"].sum() > 0, "no group may be masked when the refill succeeded"
        rewards.append(rows["advantages"])
    assert all(float(a.abs().sum()) > 0 for a in rewards), "every kept group must carry an advantage"
    metrics = trainer._metrics["train"]
    assert metrics["sampling/groups_kept"][-1] == 4
    assert metrics["sampling/rounds"][-1] >= 1
    assert metrics["sampling/groups_generated"][-1] >= 6
    assert metrics["sampling/kept_fraction"][-1] == 4 / metrics["sampling/groups_generated"][-1]
    assert int(out["num_items_in_batch"]) == int(out["completion_mask"].sum())


def test_masked_filler_groups_change_neither_loss_nor_gradient(tmp_path, tiny_model_dir):
    trainer = _trainer(tmp_path, tiny_model_dir, ODD_FLAT, max_rounds=0)
    trainer.current_gradient_accumulation_steps = 1
    trainer.args.steps_per_generation = 1
    out = trainer._generate_and_score_completions(_groups(trainer, [1, 2, 3, 4]))
    assert trainer._metrics["train"]["sampling/groups_masked"][-1] == 2  # 1 and 3 are flat, no refill
    kept = [select_group(out, g, 2) for g in range(4)]
    alone = [g for g in kept if g["completion_mask"].sum() > 0]
    assert len(alone) == 2
    only_kept = merge_groups(alone, trainer._tokenizer.pad_token_id)
    only_kept["num_items_in_batch"] = only_kept["completion_mask"].sum()

    def loss_and_grads(batch):
        trainer.model.zero_grad(set_to_none=True)
        loss = trainer.compute_loss(trainer.model, batch)
        loss.backward()
        return loss.detach(), {
            n: p.grad.clone() for n, p in trainer.model.named_parameters() if p.grad is not None
        }

    loss_all, grads_all = loss_and_grads(out)
    loss_kept, grads_kept = loss_and_grads(only_kept)
    torch.testing.assert_close(loss_all, loss_kept)
    for name, grad in grads_kept.items():
        torch.testing.assert_close(grads_all[name], grad, msg=name)


def test_round_cap_ends_the_refill_and_the_step_still_trains(tmp_path, tiny_model_dir):
    trainer = _trainer(tmp_path, tiny_model_dir, CONSTANT, max_rounds=2)
    trainer.args.max_steps = 1
    trainer.train()
    logged = [e for e in trainer.state.log_history if "sampling/rounds" in e]
    assert logged and logged[0]["sampling/rounds"] == 2
    assert logged[0]["sampling/groups_kept"] == 0
    assert logged[0]["sampling/groups_masked"] == 4
    assert trainer.state.global_step == 1 and math.isfinite(logged[0]["loss"])
