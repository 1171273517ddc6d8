"""Health alarms on synthetic metric streams: each rule fires on its bad stream, once, and a healthy run
raises nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rlvr.observers import RunObserver
from rlvr.observers.alarms import HealthMonitor
from rlvr.observers.sink_nodes import default_sinks
from rlvr.run_dir import RunDir

HEALTHY = {
    "loss": 0.1,
    "grad_norm": 0.3,
    "reward": 0.6,
    "completions/clipped_ratio": 0.1,
    "frac_reward_zero_std": 0.2,
    "entropy": 1.2,
    "rewards/format/mean": 0.5,
    "rewards/format/errors": 0.0,
}


def feed(stream: list[tuple[str, dict[str, Any]]], **settings: Any) -> list[tuple[str, int]]:
    """Run a stream of (kind, metrics) through a monitor; the alarms as (name, step)."""
    monitor = HealthMonitor(settings)
    for step, (kind, metrics) in enumerate(stream, start=1):
        monitor.update(metrics, step, kind)
    return [(a.name, a.step) for a in monitor.fired]


def train(steps: int, **changes: Any) -> list[tuple[str, dict[str, Any]]]:
    return [("train", {**HEALTHY, **changes})] * steps


def test_a_healthy_run_raises_nothing() -> None:
    rising = [("train", {**HEALTHY, "rewards/format/mean": 0.5 + i / 10}) for i in range(5)]
    assert (
        feed([("eval", {"eval/accuracy": 0.2}), *train(20), *rising, ("eval", {"eval/accuracy": 0.4})]) == []
    )


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        # two clipped steps in a row (the default run length) → truncation, reported once
        (train(1) + train(4, **{"completions/clipped_ratio": 0.9}), [("truncation", 3)]),
        # clipped steps that never form a long enough run stay silent
        (
            train(1, **{"completions/clipped_ratio": 0.9})
            + train(1)
            + train(1, **{"completions/clipped_ratio": 0.9}),
            [],
        ),
        # every group scored alike for five steps: no learning signal
        (train(5, frac_reward_zero_std=1.0), [("no_signal", 5)]),
        (train(4, frac_reward_zero_std=1.0), []),
        # entropy collapse after three low steps
        (train(2) + train(3, entropy=0.01), [("entropy_collapse", 5)]),
        # TRL logs grad_norm as NaN after an overflow; inf anywhere counts too (once per metric)
        (
            train(1) + train(2, grad_norm=float("nan")) + train(1, loss=float("inf")),
            [("non_finite", 2), ("non_finite", 4)],
        ),
        # a reward function raised on some samples
        (train(1, **{"rewards/format/errors": 0.25}), [("reward_errors", 1)]),
        # a reward function returned None for every completion (logged as None or NaN), not a NaN bug
        (train(1) + train(2, **{"rewards/format/mean": None}), [("unscored", 2)]),
        (train(1, **{"rewards/format/mean": float("nan")}), [("unscored", 1)]),
    ],
)
def test_rule_fires_on_its_bad_stream(stream: list, expected: list[tuple[str, int]]) -> None:
    assert feed(stream) == expected


def test_format_reward_rising_while_accuracy_falls_is_reward_hacking() -> None:
    climbing = [("train", {**HEALTHY, "rewards/format/mean": 0.2 + i / 10}) for i in range(5)]
    stream = [("eval", {"eval/accuracy": 0.5}), *climbing, ("eval", {"eval/accuracy": 0.3})]
    assert feed(stream) == [("reward_hacking", 7)]
    assert feed([*stream[:-1], ("eval", {"eval/accuracy": 0.6})]) == []  # accuracy rose: fine
    assert feed(stream, format_rise=0.5) == []  # a threshold above the rise
    periodic = [("eval", {"eval/accuracy": 0.5, "tag": "periodic"}), *climbing]
    assert (
        feed([*periodic, ("eval", {"eval/accuracy": 0.3, "tag": "after"})]) == []
    )  # other rows: not compared


def test_thresholds_are_configurable_and_alarms_can_be_off() -> None:
    assert feed(train(1, **{"completions/clipped_ratio": 0.3}), clipped_ratio=0.2, clipped_steps=1) == [
        ("truncation", 1)
    ]
    assert feed(train(5, grad_norm=float("nan")), enabled=False) == []


def test_an_unscored_reward_says_which_and_what_to_check() -> None:
    [alarm] = HealthMonitor().update({"rewards/score/mean": None}, 3)
    assert alarm.message == (
        "unscored at step 3: reward 'score' returned None for every completion (rewards/score/mean is "
        "empty); check what it reads (the dataset columns it names, the answer format it expects)"
    )


def test_messages_say_what_to_do() -> None:
    monitor = HealthMonitor()
    [alarm] = [a for _ in range(2) for a in monitor.update({"completions/clipped_ratio": 0.75}, 2)]
    assert alarm.message == (
        "truncation at step 2: completions/clipped_ratio=0.75 above 0.5 for 2 step(s); "
        "raise train.max_completion_length, or reward shorter answers"
    )


def test_observer_warns_and_lists_alarms_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    observer = RunObserver(
        sinks={**default_sinks(), "console": {**default_sinks()["console"], "level": "quiet"}}, plots=False
    )
    observer.start(RunDir(tmp_path), {})
    observer.log_metrics({**HEALTHY, "grad_norm": float("nan")}, step=1)
    observer.finish()
    record = json.loads((tmp_path / "metrics.jsonl").read_text())
    assert record["grad_norm"] is None  # the JSONL keeps writing non-finite values as null...
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["alarms"] == [  # ...but the alarm saw the NaN
        "non_finite at step 1: grad_norm is nan; lower train.learning_rate or set train.max_grad_norm; "
        "check bf16/fp16 overflow"
    ]
    assert "rlvr: warning: alarm: non_finite at step 1: grad_norm is nan" in capsys.readouterr().err
    assert "| 1 | non_finite at step 1" in (tmp_path / "summary.md").read_text()
