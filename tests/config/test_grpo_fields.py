"""Reading GRPOConfig's fields from source (fast) agrees with importing trl (slow but authoritative)."""

from __future__ import annotations

import ast
import dataclasses
import re
from typing import Any

import pytest

from rlvr.config import grpo_fields
from rlvr.config.grpo_fields import (
    NO_DEFAULT,
    PROSE_CHOICES,
    FieldSpec,
    _specs_from_import,
    _specs_from_source,
    grpo_config_defaults,
    grpo_config_fields,
)
from rlvr.config.types import matches


@pytest.fixture(scope="module")
def imported() -> dict[str, FieldSpec]:
    """The import path (imports trl: ~10 s, paid once for this module)."""
    return _specs_from_import()


def test_source_parse_matches_dataclass_fields(imported: dict[str, FieldSpec]) -> None:
    assert set(_specs_from_source()) == set(imported)


def test_source_defaults_equal_dataclass_defaults(imported: dict[str, FieldSpec]) -> None:
    source = _specs_from_source()
    unread = sorted(name for name, spec in source.items() if spec.default is NO_DEFAULT)
    assert len(unread) <= 3, f"defaults no longer read from source: {unread}"
    differ = {
        name: (spec.default, imported[name].default)
        for name, spec in source.items()
        if spec.default is not NO_DEFAULT and spec.default != imported[name].default
    }
    assert not differ, f"source default != dataclass default: {differ}"


def test_every_dataclass_default_fits_the_type_read_from_source(imported: dict[str, FieldSpec]) -> None:
    """The rebuilt annotations accept TRL's own defaults (they would reject valid configs otherwise)."""
    source = _specs_from_source()
    misfits = {
        name: (imported[name].default, source[name].hint)
        for name in source
        if imported[name].default is not dataclasses.MISSING
        and not matches(source[name].hint, _plain(imported[name].default))
    }
    assert not misfits, misfits


def _plain(value: Any) -> Any:
    """An enum default (TrainingArguments' optim) as the string a YAML file would hold."""
    return getattr(value, "value", value)


def _help_text(name: str) -> str:
    """The ``help`` metadata of GRPOConfig's ``name`` in the installed trl source."""
    path = grpo_fields._package_dir("trl") / "trainer" / "grpo_config.py"
    cls = grpo_fields._class_node(path, "GRPOConfig")
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", None) == name:
            field_call = stmt.value
            assert isinstance(field_call, ast.Call)
            metadata = next(kw.value for kw in field_call.keywords if kw.arg == "metadata")
            return ast.literal_eval(metadata)["help"]
    raise LookupError(name)


@pytest.mark.parametrize("name", sorted(PROSE_CHOICES))
def test_prose_choices_are_in_the_installed_help_text(name: str) -> None:
    text = _help_text(name)
    for choice in PROSE_CHOICES[name]:
        if isinstance(choice, str):
            assert re.search(rf"[`']{choice}[`']", text), f"{name}: {choice!r} not in TRL's help: {text}"


def test_loss_types_are_exactly_the_supported_ones() -> None:
    """A loss type added to or removed from TRL's list must be added to or removed from ours."""
    sentence = re.search(r"Supported values are (.+?)\. ", _help_text("loss_type"))
    assert sentence, "TRL reworded loss_type's help; check PROSE_CHOICES['loss_type'] by hand"
    assert set(re.findall(r"'(\w+)'", sentence.group(1))) == set(PROSE_CHOICES["loss_type"])


def test_enum_fields_converted_in_post_init_are_strict() -> None:
    specs = _specs_from_source()
    assert not matches(specs["lr_scheduler_type"].hint, "cosin")
    assert matches(specs["lr_scheduler_type"].hint, "cosine")
    assert matches(specs["save_strategy"].hint, "no") and not matches(specs["save_strategy"].hint, "never")
    assert not matches(specs["optim"].hint, "adamw")
    assert matches(specs["report_to"].hint, "wandb")  # a plain str | list field stays open


def test_unexpected_source_layout_falls_back_to_importing_trl(
    imported: dict[str, FieldSpec], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grpo_fields, "_CLASS_CHAIN", (("trl", "trainer/grpo_config.py", "Renamed"),))
    grpo_fields.grpo_config_specs.cache_clear()
    try:
        specs = grpo_fields.grpo_config_specs()
    finally:
        grpo_fields.grpo_config_specs.cache_clear()
    assert set(specs) == set(imported)
    assert not matches(specs["loss_type"].hint, "dapoo") and not matches(specs["learning_rate"].hint, "abc")


def test_defaults_the_batch_rules_read() -> None:
    defaults = grpo_config_defaults()
    assert defaults["num_generations"] == 8
    assert defaults["per_device_train_batch_size"] == 8
    assert defaults["gradient_accumulation_steps"] == 1


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
