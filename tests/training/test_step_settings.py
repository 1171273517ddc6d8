"""The training-step keys are checked at validation, before torch loads, each error with its fix."""

from __future__ import annotations

import pytest

from rlvr.config import ConfigValidationError, validate_config
from rlvr.modes import MODES
from tests.conftest import compose_config


def _errors(overrides: list[str]) -> str:
    with pytest.raises(ConfigValidationError) as info:
        validate_config(compose_config(overrides), modes=MODES)
    return str(info.value)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # an unknown packing path lists the valid ones
        (
            ["train.packing=prefixx"],
            "train.packing='prefixx': expected one of: auto, off, trim, padding_free, prefix (got str). Fix: did you "
            "mean train.packing=prefix?",
        ),
        # a token budget must be a positive count
        (
            ["train.micro_batch_tokens=0"],
            "train.micro_batch_tokens=0: must be at least 1. Fix: set train.micro_batch_tokens to at least 1",
        ),
        # per-micro-batch normalisers would weight rows differently when regrouped
        (
            ["train.loss_type=grpo", "train.micro_batch_tokens=4096"],
            "train.micro_batch_tokens=4096: loss_type=grpo normalises each micro-batch on its own, so grouping "
            "rows by tokens would change how much each row weighs in the gradient. Fix: use "
            "train.loss_type=dapo (or cispo, vespo: normalised over the whole batch), or set "
            "train.micro_batch_tokens=null",
        ),
        # gradient_checkpointing takes auto besides true/false
        (
            ["train.gradient_checkpointing=sometimes"],
            "train.gradient_checkpointing='sometimes': must be true, false or auto",
        ),
        # dynamic sampling's keys are checked like any other node's
        (
            ["+train.dynamic_sampling.max_round=2"],
            "train.dynamic_sampling.max_round=2: unknown key: not accepted by train.dynamic_sampling (DynamicSampling). "
            "Fix: did you mean train.dynamic_sampling.max_rounds?",
        ),
        (
            ["train.dynamic_sampling.max_rounds=-1"],
            "train.dynamic_sampling.max_rounds=-1: must be at least 0 (0 = drop without refilling). Fix: e.g. "
            "train.dynamic_sampling.max_rounds=3",
        ),
        (
            ["train.dynamic_sampling.min_std=-0.5"],
            "train.dynamic_sampling.min_std=-0.5: must be at least 0. Fix: e.g. train.dynamic_sampling.min_std=0.0",
        ),
    ],
)
def test_bad_step_keys_are_reported_with_their_fix(overrides, expected):
    assert expected in _errors(overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        ["train.packing=padding_free", "train.micro_batch_tokens=65536"],
        ["train.gradient_checkpointing=auto", "train.packing=off"],
        ["train.loss_type=cispo", "train.micro_batch_tokens=1024", "train.dynamic_sampling.enabled=true"],
    ],
)
def test_good_step_keys_validate(overrides):
    validate_config(compose_config(overrides), modes=MODES)
