"""Checkpoint folders as transformers writes them (small real files), for the completeness tests."""

from __future__ import annotations

import json
from pathlib import Path


def write_checkpoint(
    folder: Path, step: int, r: int = 4, targets: tuple[str, ...] = ("q_proj", "v_proj")
) -> Path:
    """A LoRA checkpoint: trainer state, adapter config and safetensors, optimizer and scheduler archives."""
    import torch
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    config = {"r": r, "lora_alpha": 2 * r, "target_modules": list(targets), "peft_type": "LORA"}
    (folder / "adapter_config.json").write_text(json.dumps(config))
    save_file(
        {"lora_A": torch.zeros(r, 8), "lora_B": torch.zeros(8, r)}, str(folder / "adapter_model.safetensors")
    )
    torch.save({"state": {}, "param_groups": []}, folder / "optimizer.pt")
    torch.save({"last_epoch": step}, folder / "scheduler.pt")
    return folder
