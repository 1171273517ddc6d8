"""bitsandbytes settings for QLoRA (4-bit) and 8-bit base weights, and the environment checks they need.

bitsandbytes imports on CPU and its 4-bit layers run there (slowly), so a missing GPU is a warning, not an
error; a missing package is an error that names the install command.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from rlvr.console import warn
from rlvr.errors import SetupError

BNB_INSTALL = "pip install 'bitsandbytes>=0.45'"


def compute_dtype(name: str, torch: Any) -> Any:
    """``auto`` → bfloat16 on a bf16-capable GPU, float32 elsewhere; otherwise the named dtype."""
    if name != "auto":
        return getattr(torch, name)
    return torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32


def quantization_kwargs(
    bits: int, quant_type: str, double_quant: bool, dtype_name: str, torch: Any
) -> dict[str, Any]:
    """``from_pretrained`` kwargs for a 4- or 8-bit base (``quantization_config`` and ``device_map``)."""
    if importlib.util.find_spec("bitsandbytes") is None:
        raise SetupError(f"model.load_in_{bits}bit needs bitsandbytes: {BNB_INSTALL}")
    from transformers import BitsAndBytesConfig

    if not torch.cuda.is_available():
        warn(f"model.load_in_{bits}bit without a CUDA GPU: bitsandbytes runs on the CPU, slowly")
    if bits == 4:
        config = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=quant_type,
            bnb_4bit_compute_dtype=compute_dtype(dtype_name, torch),
            bnb_4bit_use_double_quant=double_quant,
        )
    else:
        config = BitsAndBytesConfig(load_in_8bit=True)
    device = {"": torch.cuda.current_device()} if torch.cuda.is_available() else None
    return {"quantization_config": config, "device_map": device}
