"""``model.lora``: the LoRA adapter trained on the policy, one typed node for both model components.

    python run_pipeline.py model.lora.r=8 model.lora.target_modules=[q_proj,v_proj]

:class:`rlvr.models.hf.HFModel` hands these keys to peft's ``LoraConfig`` (TRL applies it) and
:class:`rlvr.models.unsloth.UnslothModel` to ``FastLanguageModel.get_peft_model``; Unsloth differs only
in two defaults (:class:`UnslothLora`). Unknown keys, types and bounds are checked at validation from
the annotations (:mod:`rlvr.config.settings`); whether the target modules exist needs the model's config
and is checked right before the weights load (:func:`rlvr.models.checks.check_lora_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from rlvr.config.settings import Settings
from rlvr.config.types import AtLeast, AtMost

#: Modules that ``target_modules`` names: a peft regex / ``all-linear``, or a list of module names.
Targets = str | tuple[str, ...]


@dataclass(frozen=True)
class LoraSettings(Settings):
    """``model.lora`` of the Hugging Face loader (``model_component=default|full|qlora``)."""

    #: Train a LoRA adapter instead of all weights.
    enabled: bool = True
    #: Adapter rank.
    r: Annotated[int, AtLeast(1)] = 16
    #: Scaling (alpha / r multiplies the update).
    alpha: Annotated[int, AtLeast(1)] = 32
    #: Dropout on the adapter input.
    dropout: Annotated[float, AtLeast(0), AtMost(1)] = 0.05
    #: Which modules get adapters; all-linear = every linear layer except the output head.
    target_modules: Targets = "all-linear"
    #: Modules trained in full next to the adapter (e.g. [lm_head, embed_tokens]); null = none.
    modules_to_save: tuple[str, ...] | None = None

    def adapter_kwargs(self) -> dict[str, Any]:
        """The keyword arguments peft's ``LoraConfig`` and Unsloth's ``get_peft_model`` share."""
        targets = self.target_modules
        return {
            "r": self.r,
            "lora_alpha": self.alpha,
            "lora_dropout": float(self.dropout),
            "target_modules": targets if isinstance(targets, str) else list(targets),
            "modules_to_save": None if self.modules_to_save is None else list(self.modules_to_save),
        }


@dataclass(frozen=True)
class UnslothLora(LoraSettings):
    """``model.lora`` under ``model_component=unsloth``: Unsloth's own defaults, the projections its
    kernels patch and dropout 0 (its fast LoRA path)."""

    #: Dropout on the adapter input; 0 keeps Unsloth's fast LoRA path.
    dropout: Annotated[float, AtLeast(0), AtMost(1)] = 0.0
    #: Which modules get adapters: the projections Unsloth's kernels patch.
    target_modules: Targets = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def lora_enabled(node: Any) -> bool:
    """Whether a ``model.lora`` node as validation sees it (a mapping or None; unknown keys are reported
    by its type) trains an adapter."""
    return bool((node or {}).get("enabled", LoraSettings.enabled))
