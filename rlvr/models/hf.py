"""Hugging Face causal LMs: a hub id, a local directory, or a single ``.gguf`` file.

The model is returned unwrapped together with a ``peft.LoraConfig`` (or None): TRL's
``GRPOTrainer(peft_config=...)`` applies the adapter, as TRL documents. ``load_in_4bit`` quantises the
base weights with bitsandbytes (QLoRA), which therefore requires ``lora.enabled``.
"""

from __future__ import annotations

from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.interfaces import LoadedModel
from rlvr.paths import is_package_path, missing_path_problem, resolve_path

DTYPES = ("auto", "bfloat16", "float16", "float32")
DEFAULT_LORA = {"enabled": True, "r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"}


def _looks_local(value: str) -> bool:
    return is_package_path(value) or value.endswith(".gguf") or value.startswith(("/", ".", "~"))


class HFModel:
    """Loads ``AutoModelForCausalLM`` + ``AutoTokenizer`` with left padding and a pad token set."""

    def __init__(
        self,
        model_name_or_path: str,
        gguf_file: str | None = None,
        revision: str | None = None,
        dtype: str = "auto",
        load_in_4bit: bool = False,
        bnb_4bit_quant_type: str = "nf4",
        attn_implementation: str | None = None,
        trust_remote_code: bool = False,
        eos_token: str | None = None,
        lora: dict[str, Any] | None = None,
    ):
        self.model_name_or_path = model_name_or_path
        self.gguf_file = gguf_file
        self.revision = revision
        self.dtype = dtype
        self.load_in_4bit = load_in_4bit
        self.bnb_4bit_quant_type = bnb_4bit_quant_type
        self.attn_implementation = attn_implementation
        self.trust_remote_code = trust_remote_code
        self.eos_token = eos_token
        self.lora = {**DEFAULT_LORA, **(lora or {})}

    def _source(self) -> tuple[str, dict[str, Any]]:
        """(directory or hub id, extra from_pretrained kwargs) — a ``.gguf`` path splits into dir + file."""
        name, extra = self.model_name_or_path, {}
        if _looks_local(name):
            path = resolve_path(name)
            if path.suffix == ".gguf":
                name, extra["gguf_file"] = str(path.parent), path.name
            else:
                name = str(path)
        if self.gguf_file:
            extra["gguf_file"] = self.gguf_file
        if self.revision:
            extra["revision"] = self.revision
        return name, extra

    def load_tokenizer(self) -> Any:
        """The tokenizer alone (no weights): enough for token counting and ``mode=check``."""
        from transformers import AutoTokenizer

        name, extra = self._source()
        try:
            tokenizer = AutoTokenizer.from_pretrained(name, trust_remote_code=self.trust_remote_code, **extra)
        except OSError as err:
            raise OSError(
                f"could not load the tokenizer of {self.model_name_or_path!r}: {err}. Offline? Set "
                "model.model_name_or_path to a local directory or .gguf file."
            ) from err
        if self.eos_token:
            tokenizer.eos_token = self.eos_token
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"
        return tokenizer

    def load(self, tokenizer: Any = None) -> LoadedModel:
        """Model weights (+ the tokenizer, unless one from :meth:`load_tokenizer` is passed in)."""
        import torch
        from transformers import AutoModelForCausalLM

        tokenizer = tokenizer if tokenizer is not None else self.load_tokenizer()
        name, extra = self._source()
        kwargs: dict[str, Any] = {"trust_remote_code": self.trust_remote_code, **extra}
        kwargs["dtype"] = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        if self.attn_implementation:
            kwargs["attn_implementation"] = self.attn_implementation
        if self.load_in_4bit:
            kwargs.update(self._quantization_kwargs(torch))
        try:
            model = AutoModelForCausalLM.from_pretrained(name, **kwargs)
        except OSError as err:
            raise OSError(
                f"could not load model {self.model_name_or_path!r}: {err}. Offline? Set "
                "model.model_name_or_path to a local directory or .gguf file."
            ) from err
        if "gguf_file" in extra:
            _clear_gguf_marks(model)
        if self.eos_token:
            model.generation_config.eos_token_id = tokenizer.eos_token_id
            model.config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        return LoadedModel(model, tokenizer, self._peft_config())

    def _quantization_kwargs(self, torch: Any) -> dict[str, Any]:
        from transformers import BitsAndBytesConfig

        compute = (
            torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
        )
        device = {"": torch.cuda.current_device()} if torch.cuda.is_available() else None
        config = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=self.bnb_4bit_quant_type,
            bnb_4bit_compute_dtype=compute,
            bnb_4bit_use_double_quant=True,
        )
        return {"quantization_config": config, "device_map": device}

    def _peft_config(self) -> Any | None:
        if not self.lora.get("enabled"):
            return None
        from peft import LoraConfig

        return LoraConfig(
            r=int(self.lora["r"]),
            lora_alpha=int(self.lora["alpha"]),
            lora_dropout=float(self.lora["dropout"]),
            target_modules=self.lora["target_modules"],
            task_type="CAUSAL_LM",
        )

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        issues = []
        name = str(kwargs.get("model_name_or_path") or "")
        if _looks_local(name) and (problem := missing_path_problem(name)):
            issues.append(
                ConfigIssue(
                    f"{prefix}.model_name_or_path",
                    name,
                    problem,
                    "point it at an existing directory or .gguf file, or use a hub id",
                )
            )
        dtype = kwargs.get("dtype", "auto")
        if dtype not in DTYPES:
            issues.append(
                ConfigIssue(f"{prefix}.dtype", dtype, "unknown dtype", f"use one of {', '.join(DTYPES)}")
            )
        lora = {**DEFAULT_LORA, **(kwargs.get("lora") or {})}
        for key in set(lora) - set(DEFAULT_LORA):
            issues.append(
                ConfigIssue(
                    f"{prefix}.lora.{key}", lora[key], "unknown LoRA key", f"use {', '.join(DEFAULT_LORA)}"
                )
            )
        if kwargs.get("load_in_4bit"):
            if not lora.get("enabled"):
                issues.append(
                    ConfigIssue(
                        f"{prefix}.load_in_4bit",
                        True,
                        "4-bit weights cannot be trained directly (QLoRA trains a LoRA adapter on top)",
                        f"set {prefix}.lora.enabled=true or {prefix}.load_in_4bit=false",
                    )
                )
            if name.endswith(".gguf") or kwargs.get("gguf_file"):
                issues.append(
                    ConfigIssue(
                        f"{prefix}.load_in_4bit",
                        True,
                        "a GGUF file is already quantised and is dequantised on load",
                        f"set {prefix}.load_in_4bit=false",
                    )
                )
        return issues


def _clear_gguf_marks(model: Any) -> None:
    """A GGUF file is dequantised to a plain float model on load, but transformers keeps the quantizer
    marks, which make ``save_pretrained`` refuse. Clear them so the trained model can be saved."""
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
