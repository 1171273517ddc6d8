"""A policy to generate with, outside training: ``mode=eval`` and ``mode=profile`` load through here.

    python run_pipeline.py mode=eval model.model_name_or_path=outputs/<run>/final_model

``model.model_name_or_path`` is anything the model component loads (hub id, directory, checkpoint,
``.gguf`` file) or a LoRA adapter directory (it holds ``adapter_config.json``): the adapter's base model is
the one the run that trained it used (its ``resolved_config.yaml``, one or two folders up), else the
adapter's own ``base_model_name_or_path``; the other ``model.*`` keys (dtype, eos_token, …) apply to it.
The model goes onto this rank's GPU, where the rollout engine and ``generate`` run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config import build
from rlvr.paths import resolve_path


def adapter_base(adapter_dir: Path) -> dict[str, Any]:
    """The ``model.*`` keys naming an adapter's base model: from the training run's resolved config when
    the adapter sits in a run dir (``final_model/``, ``best_model/``, ``checkpoints/checkpoint-N/``), else
    ``base_model_name_or_path`` from ``adapter_config.json``."""
    for parent in (adapter_dir.parent, adapter_dir.parent.parent):
        resolved = parent / "resolved_config.yaml"
        if resolved.is_file():
            model = OmegaConf.load(resolved).get("model") or {}
            if model.get("model_name_or_path"):
                return {"model_name_or_path": model.model_name_or_path, "gguf_file": model.get("gguf_file")}
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    return {"model_name_or_path": config["base_model_name_or_path"], "gguf_file": None}


def load_policy(model_node: DictConfig) -> tuple[Any, Any, str]:
    """(model, tokenizer, what was loaded) for ``model.model_name_or_path``, an adapter dir included."""
    name = str(model_node.model_name_or_path)
    local = Path(resolve_path(name)) if not name.endswith(".gguf") else None
    adapter = local if local is not None and (local / "adapter_config.json").is_file() else None
    node = OmegaConf.to_container(model_node, resolve=True)
    if adapter is not None:
        node.update(adapter_base(adapter))
        # The trained adapter goes on top below; a component that wraps its own (Unsloth) must not.
        node["lora"] = {**(node.get("lora") or {}), "enabled": False}
    component = build(OmegaConf.create(node))
    tokenizer = component.load_tokenizer()
    model = on_accelerator(component.load(tokenizer).model)
    if adapter is None:
        return model, tokenizer, name
    from peft import PeftModel

    return (
        PeftModel.from_pretrained(model, str(adapter)),
        tokenizer,
        f"{adapter} on {node['model_name_or_path']}",
    )


def on_accelerator(model: Any) -> Any:
    """``model`` on this rank's GPU when there is one. Training leaves placement to the Trainer; the modes
    that only generate (eval, profile) load through here, and ``from_pretrained`` puts weights on the CPU,
    where the rollout engine and ``generate`` would then run. A model already placed by ``device_map`` (a
    4/8-bit base) stays where it is."""
    import torch

    if not torch.cuda.is_available() or getattr(model, "hf_device_map", None):
        return model
    from rlvr.launch import local_rank

    return model.to(torch.device("cuda", local_rank() % torch.cuda.device_count()))
