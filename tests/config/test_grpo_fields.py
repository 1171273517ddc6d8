"""Reading GRPOConfig's fields from source (fast) agrees with importing trl (slow but authoritative)."""

from __future__ import annotations

from rlvr.config.grpo_fields import _fields_from_import, _fields_from_source, grpo_config_fields


def test_source_parse_matches_dataclass_fields() -> None:
    assert _fields_from_source() == _fields_from_import()


def test_well_known_fields_are_present() -> None:
    fields = grpo_config_fields()
    for name in (
        "max_steps",
        "learning_rate",
        "num_generations",
        "beta",
        "max_completion_length",
        "per_device_train_batch_size",
        "reward_weights",
        "loss_type",
    ):
        assert name in fields
