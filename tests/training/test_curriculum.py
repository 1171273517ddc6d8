"""The pass-rate curriculum: the order rows are drawn in, online retiring and waiting, and a resumed run that
continues the curriculum exactly (its state travels in the checkpoint).

The trainer-level tests score with :func:`scripted_correctness`, a correctness reward that ignores the
completion: a row whose answer is a multiple of 3 is always solved, any other never. What the curriculum
does therefore depends on its own state alone, and the scorer records the answers in the order the
trainer scored them — the rows each step trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rlvr.errors import ConfigError
from rlvr.rewards import RewardSet
from rlvr.rewards.judge import correctness
from rlvr.training.curriculum import STATE_FILE, attach_curriculum, correctness_columns
from rlvr.training.curriculum_state import Curriculum, CurriculumSettings
from tests.tiny_grpo import tiny_loop

SEEN: list[str] = []


@correctness("correct_reward")
def scripted_correctness(completion: str, answer: str, correct_reward: float = 1.0) -> float:
    SEEN.append(answer)
    return correct_reward if int(answer) % 3 == 0 else 0.0


def online(**changes) -> dict:
    settings = {"order": "none", "online": True, "retire_after": 2, "revisit_after": 2}
    return {**settings, **changes}


# --- the state on its own -------------------------------------------------------------------------------


def test_static_order_by_pass_rate_with_unknown_rates_in_the_middle() -> None:
    rates = [0.2, None, 0.9, 0.0, 0.6]
    easy = Curriculum(CurriculumSettings(order="easy_first"), rates, seed=0).static_order()
    hard = Curriculum(CurriculumSettings(order="hard_first"), rates, seed=0).static_order()
    assert easy == [2, 4, 1, 0, 3] and hard == [3, 0, 1, 4, 2]  # None counts as 0.5
    plain = [Curriculum(CurriculumSettings(), rates, seed=s).static_order() for s in (0, 1)]
    assert sorted(plain[0]) == [0, 1, 2, 3, 4] and plain[0] != plain[1]  # seeded, not by rate


def test_every_row_once_before_any_row_twice() -> None:
    curriculum = Curriculum(CurriculumSettings(order="hard_first"), [0.1 * i for i in range(6)], seed=3)
    first, second = curriculum.pick(4, step=0), curriculum.pick(4, step=1)
    assert first == [0, 1, 2, 3]  # hardest first
    assert second[:2] == [4, 5] and set(second[2:]) <= {0, 1, 2, 3}  # the epoch ends, the next begins


def test_solved_rows_retire_and_unsolved_rows_wait() -> None:
    curriculum = Curriculum(
        CurriculumSettings(online=True, retire_after=2, revisit_after=3), [None] * 3, seed=0
    )
    curriculum.record([0, 1, 2], [1.0, 0.0, 0.5], step=4)
    assert curriculum.counts(step=4) == {"retired": 0, "waiting": 1, "ready": 2}
    assert sorted(curriculum.pick(2, step=7)) == [0, 2]  # row 1 sits out the steps after step 4: 5, 6, 7
    curriculum.record([0], [1.0], step=7)  # the second all-solved visit in a row: retired
    assert curriculum.retired == {0} and curriculum.rates == [1.0, 0.0, 0.5]
    assert curriculum.pick(1, step=8) == [1]  # back after waiting: fewest visits, drawn first
    curriculum.record([2], [1.0], step=8)
    curriculum.record([2], [0.5], step=9)  # a miss breaks the streak
    assert 2 not in curriculum.retired and curriculum.streak[2] == 0


def test_a_short_pool_fills_with_waiting_then_retired_rows() -> None:
    curriculum = Curriculum(
        CurriculumSettings(online=True, retire_after=1, revisit_after=10), [None] * 3, seed=0
    )
    curriculum.record([0, 1, 2], [1.0, 0.0, 0.0], step=0)  # 0 retired, 1 and 2 wait until step 10
    assert sorted(curriculum.pick(2, step=1)) == [1, 2] and curriculum.pick(3, step=1)[2] == 0


def test_state_round_trip_continues_the_same_picks() -> None:
    settings = CurriculumSettings(order="easy_first", online=True, retire_after=2, revisit_after=1)
    one = Curriculum(settings, [0.3, 0.7, None, 0.1, 0.5], seed=5)
    for step in range(4):
        rows = one.pick(2, step)
        one.record(rows, [1.0 if row % 2 else 0.0 for row in rows], step)
    two = Curriculum(settings, [None] * 5, seed=5)
    two.load(json.loads(json.dumps(one.state())))
    assert [one.pick(2, s) for s in range(4, 9)] == [two.pick(2, s) for s in range(4, 9)]
    with pytest.raises(ConfigError, match="covers 5 training rows but the data has 4"):
        Curriculum(settings, [None] * 4, seed=5).load(one.state())


def test_the_correctness_rewards_are_found_by_their_marker() -> None:
    rewards = RewardSet(
        [
            {"_target_": "rlvr.rewards.format.format_compliance"},
            {"_target_": "rlvr.rewards.correctness.numeric_correctness", "params": {"correct_reward": 2.0}},
            {"_target_": "rlvr.rewards.finqa.finqa_correctness"},  # a second task's judge, default maximum
        ]
    )
    assert correctness_columns(rewards.functions) == [(1, 2.0), (2, 2.0)]
    with pytest.raises(ConfigError, match="no reward function is a correctness reward"):
        correctness_columns(rewards.functions[:1])


# --- on the tiny trainer ---------------------------------------------------------------------------------


def build(model_dir: Path, out: Path, settings: dict | None, rates=None, **loop_changes):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, set_seed

    set_seed(0)
    rows = [{"prompt": f"question {n}", "answer": str(n)} for n in range(1, 9)]
    if rates is not None:
        rows = [{**row, "profile_pass_rate": rate} for row, rate in zip(rows, rates, strict=True)]
    rewards = RewardSet([{"_target_": "tests.training.test_curriculum.scripted_correctness"}])
    loop = tiny_loop(rollout={"backend": "trl"}, **loop_changes)
    trainer = loop.build_trainer(
        AutoModelForCausalLM.from_pretrained(model_dir),
        AutoTokenizer.from_pretrained(model_dir),
        Dataset.from_list(rows),
        rewards.functions,
        rewards.weights,
        output_dir=out,
    )
    attach_curriculum(trainer, settings, rewards.functions)
    return loop, trainer


def rows_per_step(seen: list[str], generations: int = 2, groups: int = 2) -> list[list[int]]:
    """The scored answers as each step's rows (each row is scored once per completion)."""
    rows = [int(answer) for answer in seen[::generations]]
    return [rows[i : i + groups] for i in range(0, len(rows), groups)]


@pytest.mark.parametrize(("order", "expected"), [("easy_first", [8, 7, 6, 5]), ("hard_first", [1, 2, 3, 4])])
def test_a_static_curriculum_walks_the_profile_order_despite_trls_shuffle(
    tiny_model_dir: Path, tmp_path: Path, order: str, expected: list[int], capsys: pytest.CaptureFixture
) -> None:
    SEEN.clear()
    settings = {"order": order, "online": False, "retire_after": 3, "revisit_after": 50}
    loop, trainer = build(
        tiny_model_dir, tmp_path, settings, rates=[n / 10 for n in range(1, 9)], max_steps=2
    )
    assert trainer.args.shuffle_dataset is True  # TRL's default stays; the curriculum turns it off itself
    assert (
        f"curriculum: {order} over 8 training rows (8 with a profiled pass rate)" in capsys.readouterr().out
    )
    loop.train(trainer)
    assert [row for step in rows_per_step(SEEN) for row in step] == expected


def test_online_rows_retire_and_wait_as_the_rewards_say(tiny_model_dir: Path, tmp_path: Path) -> None:
    SEEN.clear()
    loop, trainer = build(tiny_model_dir, tmp_path, online(), max_steps=8)
    loop.train(trainer)
    steps = rows_per_step(SEEN)
    assert len(steps) == 8
    visits = {row: [i for i, rows in enumerate(steps) if row in rows] for row in range(1, 9)}
    for row in (3, 6):  # always solved: two visits, then retired for good
        assert len(visits[row]) == 2, visits
    for row in (1, 2, 4, 5, 7, 8):  # never solved: each visit is followed by 2 steps away at least
        assert all(b - a > 2 for a, b in zip(visits[row], visits[row][1:], strict=False)), visits
    assert trainer.curriculum.retired == {2, 5}  # rows 3 and 6, by index
    logged = [e for e in trainer.state.log_history if "curriculum/retired" in e]
    assert logged[-1]["curriculum/retired"] == 2.0 and len(logged) == 8


def test_dynamic_samplings_refills_draw_from_the_curriculum(tiny_model_dir: Path, tmp_path: Path) -> None:
    """Every group of the scripted reward is all right or all wrong, so dynamic sampling drops them all
    and refills twice per step: each round's rows are the curriculum's next picks, and each is recorded."""
    SEEN.clear()
    dynamic = {"enabled": True, "max_rounds": 2}
    loop, trainer = build(
        tiny_model_dir,
        tmp_path,
        online(retire_after=None, revisit_after=0),
        max_steps=2,
        dynamic_sampling=dynamic,
    )
    loop.train(trainer)
    rounds = rows_per_step(SEEN)  # one entry per generation round: 2 steps x 3 rounds
    assert len(rounds) == 6 and sum(trainer.curriculum.visits) == 12
    first_epoch = [row for rows in rounds[:4] for row in rows]
    assert sorted(first_epoch) == list(range(1, 9))  # 8 rows, each once before any twice
    assert [e["sampling/rounds"] for e in trainer.state.log_history if "sampling/rounds" in e] == [2.0, 2.0]


def test_resuming_mid_curriculum_continues_it_exactly(tiny_model_dir: Path, tmp_path: Path) -> None:
    checkpoints = dict(max_steps=6, save_strategy="steps", save_steps=3)
    SEEN.clear()
    loop, straight = build(tiny_model_dir, tmp_path / "straight", online(), **checkpoints)
    loop.train(straight)
    expected = rows_per_step(SEEN)
    saved = json.loads((tmp_path / "straight" / "checkpoint-3" / STATE_FILE).read_text())
    assert sum(saved["visits"]) == 6 and saved["rows"] == 8  # three steps of two rows

    SEEN.clear()
    resume = str(tmp_path / "straight" / "checkpoint-3")
    loop, resumed = build(
        tiny_model_dir, tmp_path / "resumed", online(), resume_from_checkpoint=resume, **checkpoints
    )
    loop.train(resumed)
    assert rows_per_step(SEEN) == expected[3:]  # steps 4-6: the same rows as the straight run
    assert resumed.curriculum.state() == straight.curriculum.state()

    (tmp_path / "straight" / "checkpoint-3" / STATE_FILE).unlink()
    loop, again = build(
        tiny_model_dir, tmp_path / "again", online(), resume_from_checkpoint=resume, **checkpoints
    )
    with pytest.raises(ConfigError, match=f"has no {STATE_FILE}"):
        loop.train(again)


def test_the_train_mode_hands_the_data_keys_to_the_trainer(tiny_model_dir: Path, tmp_path: Path) -> None:
    """``data.curriculum_online=true`` on the command line reaches the trainer through the data report."""
    from rlvr.modes import run
    from rlvr.run_dir import RunDir
    from tests.modes.test_train import tiny_run_config

    cfg = tiny_run_config(
        tiny_model_dir, "data.curriculum_online=true", "data.retire_after=1", "eval.enabled=false"
    )
    report = run(cfg, RunDir(tmp_path))
    assert report["data"]["curriculum"]["online"] is True
    steps = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    steps = [s for s in steps if s["kind"] == "train" and "loss" in s]
    counts = [s["curriculum/ready"] + s["curriculum/retired"] + s["curriculum/waiting"] for s in steps]
    assert counts == [32.0, 32.0]  # the curriculum holds the bundled file's 32 training rows
