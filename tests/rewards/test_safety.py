"""The TRL adapter's safety: error fallbacks, timeouts, counting, logging once, and return checks."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from rlvr.rewards import RewardSet, SafeReward, completion_text
from rlvr.rewards.adapter import RewardFailure, RewardReturnError
from tests.rewards import scorers

ANSWERS = ["1", "2", "3", "4", "5", "6"]
COMPLETIONS = ["x"] * len(ANSWERS)


def _flaky(on_error: str) -> SafeReward:
    return SafeReward(scorers.raise_every_third, {}, "flaky", on_error=on_error)


@pytest.mark.parametrize(
    ("on_error", "expected"),
    [
        # zero: failing samples score 0.0, the others keep their reward.
        ("zero", [1.0, 1.0, 0.0, 1.0, 1.0, 0.0]),
        # none: failing samples are left unscored (TRL excludes them from the mean).
        ("none", [1.0, 1.0, None, 1.0, 1.0, None]),
    ],
)
def test_failures_get_the_fallback_and_are_counted(on_error: str, expected: list[float | None]) -> None:
    reward = _flaky(on_error)
    logged: list[tuple[str, float]] = []
    result = reward(None, COMPLETIONS, answer=ANSWERS, log_metric=lambda k, v: logged.append((k, v)))
    assert result == expected
    assert reward.errors == 2
    assert logged == [("rewards/flaky/errors", 2.0)]


def test_on_error_raise_stops_with_the_function_and_sample_named() -> None:
    with pytest.raises(RewardFailure, match=r"reward 'flaky' failed on sample 2: ZeroDivisionError"):
        _flaky("raise")(None, COMPLETIONS, answer=ANSWERS)


def test_first_traceback_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    reward = _flaky("zero")
    with caplog.at_level(logging.WARNING, logger="rlvr.rewards"):
        reward(None, COMPLETIONS, answer=ANSWERS)
        reward(None, COMPLETIONS, answer=ANSWERS)
    assert len(caplog.records) == 1
    assert "Traceback" in caplog.text and "cannot score answer 3" in caplog.text
    assert reward.errors == 4


def test_timeout_gives_the_fallback() -> None:
    reward = SafeReward(scorers.sleepy, {"seconds": 2.0}, "sleepy", on_error="none", timeout=0.05)
    assert reward(None, ["a"]) == [None]
    assert reward.errors == 1


def test_a_fast_call_within_its_timeout_keeps_its_value() -> None:
    reward = SafeReward(scorers.sleepy, {"seconds": 0.0}, "sleepy", timeout=5)
    assert reward(None, ["a", "b"]) == [1.0, 1.0]
    assert reward.errors == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # NaN would poison the group's mean: a bug, named.
        ("nan", r"reward 'bad' returned nan for sample 0; rewards must be finite"),
        # inf likewise.
        ("inf", r"reward 'bad' returned inf for sample 0"),
        # A numeric string is not a number.
        ("string", r"reward 'bad' returned '1.0' \(str\)"),
        # A bool is almost surely a forgotten conversion.
        ("bool", r"reward 'bad' returned True \(bool\)"),
        # A list from a per-sample scorer.
        ("list", r"reward 'bad' returned \[1.0\] \(list\)"),
    ],
)
def test_bad_returns_are_errors_whatever_on_error_says(value: str, message: str) -> None:
    reward = SafeReward(scorers.returns, {"value": value}, "bad", on_error="zero")
    with pytest.raises(RewardReturnError, match=message):
        reward(None, ["x"])


def test_none_passes_through_for_trl_to_mask() -> None:
    # TRL (1.15, 1.16) turns None into NaN, excludes it from means and gives an all-None row advantage 0.
    reward = SafeReward(scorers.returns, {"value": "none"}, "abstain")
    assert reward(None, ["a", "b"]) == [None, None]


def test_batched_reward_of_wrong_length_is_an_error() -> None:
    reward = SafeReward(scorers.batched_short, {}, "short")
    with pytest.raises(RewardReturnError, match=r"reward 'short' returned 1 rewards for 2 completions"):
        reward(["p", "q"], ["a", "b"])


def test_batched_reward_is_called_once_per_batch() -> None:
    reward = SafeReward(scorers.batched_length, {}, "length")
    assert reward.batched and reward.columns == []
    assert reward(["p", "q"], ["a", "bcd"]) == [1.0, 3.0]


def test_missing_column_names_the_function_and_the_batch_columns() -> None:
    reward = _flaky("zero")
    with pytest.raises(
        KeyError, match=r"reward 'flaky' needs dataset column\(s\) \['answer'\]; the batch has \['id'\]"
    ):
        reward(None, COMPLETIONS, id=ANSWERS, completion_ids=[[1]] * 6, trainer_state=None)


def test_runtime_inputs_are_filled_per_sample() -> None:
    reward = SafeReward(scorers.echo_inputs, {}, "echo")
    assert reward(["p", ""], ["a", "b"], completion_ids=[[1, 2], [3]]) == [21.0, 10.0]
    # Without token ids (mode=score) the scorer gets None and must cope.
    assert reward(None, ["a"]) == [0.0]


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        # Plain text.
        ("#### 1", "#### 1"),
        # A conversational completion.
        ([{"role": "assistant", "content": "#### 1"}], "#### 1"),
        # A whole conversation: only assistant turns, one per line so numbers never merge.
        (
            [
                {"role": "user", "content": "7"},
                {"role": "assistant", "content": "12"},
                {"role": "assistant", "content": "3"},
            ],
            "12\n3",
        ),
        # Multimodal content parts.
        ([{"role": "assistant", "content": [{"type": "text", "text": "42"}]}], "42"),
        # None.
        (None, ""),
    ],
)
def test_completion_text(completion: Any, expected: str) -> None:
    assert completion_text(completion) == expected


def test_reward_set_exposes_error_counts_and_entry_overrides() -> None:
    rewards = RewardSet(
        [
            {"_target_": "tests.rewards.scorers.raise_every_third", "name": "flaky", "on_error": "none"},
            {"_target_": "tests.rewards.scorers.sleepy", "params": {"seconds": 0.0}},
        ],
        on_error="raise",
        timeout=3,
    )
    assert [(f.name, f.on_error, f.timeout) for f in rewards.functions] == [
        ("flaky", "none", 3),
        ("sleepy", "raise", 3),
    ]
    rewards.functions[0](None, COMPLETIONS, answer=ANSWERS)
    assert rewards.error_counts == {"flaky": 2, "sleepy": 0}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # Unknown policy at construction (validation reports it earlier; this guards direct use).
        ({"on_error": "ignore"}, "on_error='ignore' is not one of zero, none, raise"),
        # A non-positive timeout.
        ({"timeout": 0}, "timeout=0 must be a positive number"),
    ],
)
def test_safe_reward_refuses_bad_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SafeReward(scorers.sleepy, {}, "s", **kwargs)


def exits(completion: str) -> float:
    raise SystemExit(3)


def test_sys_exit_in_a_scorer_stops_with_its_name_not_the_exit_status() -> None:
    from rlvr.errors import TrainingError

    reward = SafeReward(exits, {}, "exits", on_error="zero", timeout=5)
    with pytest.raises(RewardFailure) as caught:
        reward(prompts=["p"], completions=["c"])
    assert isinstance(caught.value, TrainingError) and caught.value.exit_code == 6
    assert str(caught.value) == (
        "reward 'exits' called sys.exit(3) on sample 0; a reward returns a float or None. Fix: raise an "
        "exception there instead (the entry's on_error then decides), or return None"
    )


def test_a_timed_out_worker_is_replaced_and_later_calls_still_score() -> None:
    reward = SafeReward(scorers.sleepy, {"seconds": 1.0}, "sleepy_then_fast", on_error="none", timeout=0.05)
    assert reward(prompts=["p"], completions=["c"]) == [None]
    reward.params = {"seconds": 0.0}
    assert reward(prompts=["p"] * 3, completions=["c"] * 3) == [1.0] * 3
