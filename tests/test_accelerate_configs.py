"""The accelerate configs in accelerate/ load with accelerate's own loader and say what they promise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

CONFIGS = {
    "ddp.yaml": ("MULTI_GPU", {}),
    "deepspeed_zero2.yaml": ("DEEPSPEED", {"zero_stage": 2}),
    "deepspeed_zero3.yaml": ("DEEPSPEED", {"zero_stage": 3, "zero3_init_flag": True}),
    "fsdp.yaml": ("FSDP", {"fsdp_version": 2}),
}


def test_every_config_is_listed() -> None:
    assert sorted(p.name for p in (ROOT / "accelerate").glob("*.yaml")) == sorted(CONFIGS)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_config_loads_with_accelerates_loader(name: str) -> None:
    from accelerate.commands.config.config_args import load_config_from_file

    path = ROOT / "accelerate" / name
    config = load_config_from_file(str(path))  # unknown or misspelt keys raise here
    kind, settings = CONFIGS[name]
    assert config.distributed_type.value == kind and config.num_processes == 2 and config.num_machines == 1
    plugin = config.deepspeed_config or config.fsdp_config or {}
    assert settings.items() <= plugin.items()
    header = Path(path).read_text().splitlines()[:4]
    assert any(
        f"accelerate launch --config_file accelerate/{name} --num_processes" in line for line in header
    )
