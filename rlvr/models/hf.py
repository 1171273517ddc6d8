"""Hugging Face causal LMs: a hub id, a local directory, or a single ``.gguf`` file.

The model is returned unwrapped together with a ``peft.LoraConfig`` (or None): TRL's
``GRPOTrainer(peft_config=...)`` applies the adapter, as TRL documents. ``load_in_4bit`` quantises the
base weights with bitsandbytes (QLoRA) and ``load_in_8bit`` to int8; both require ``lora.enabled``.
The ``model_component`` options (``default``, ``full``, ``qlora``) are presets of this one class.
"""

from __future__ import annotations

from typing import Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.errors import ModelError, RlvrError
from rlvr.interfaces import LoadedModel
from rlvr.models.checks import chat_template_issues, check_lora_targets
from rlvr.models.files import local_model_problem, unreadable
from rlvr.models.quantization import quantization_kwargs
from rlvr.paths import is_package_path, missing_path_problem, resolve_path
from rlvr.rollout.attention_mask import guard_empty_attention_rows

Dtype = Literal["auto", "bfloat16", "float16", "float32"]
#: Attention kernels transformers accepts by name (null = its own choice).
Attention = Literal["eager", "sdpa", "flash_attention_2", "flash_attention_3", "flex_attention"]
DEFAULT_LORA = {
    "enabled": True,
    "r": 16,
    "alpha": 32,
    "dropout": 0.05,
    "target_modules": "all-linear",
    "modules_to_save": None,
}


def _looks_local(value: str) -> bool:
    return is_package_path(value) or value.endswith(".gguf") or value.startswith(("/", ".", "~"))


class HFModel:
    """Loads ``AutoModelForCausalLM`` + ``AutoTokenizer`` with left padding and a pad token set."""

    def __init__(
        self,
        model_name_or_path: str,
        gguf_file: str | None = None,
        revision: str | None = None,
        dtype: Dtype = "auto",
        load_in_4bit: bool = False,
        load_in_8bit: bool = False,
        bnb_4bit_quant_type: Literal["nf4", "fp4"] = "nf4",
        bnb_4bit_compute_dtype: Dtype = "auto",
        bnb_4bit_use_double_quant: bool = True,
        attn_implementation: Attention | None = None,
        trust_remote_code: bool = False,
        eos_token: str | None = None,
        chat_template: str | None = None,
        save_merged: bool = False,
        lora: dict[str, Any] | None = None,
    ):
        self.model_name_or_path = model_name_or_path
        self.gguf_file = gguf_file
        self.revision = revision
        self.dtype = dtype
        self.load_in_4bit = load_in_4bit
        self.load_in_8bit = load_in_8bit
        self.bnb_4bit_quant_type = bnb_4bit_quant_type
        self.bnb_4bit_compute_dtype = bnb_4bit_compute_dtype
        self.bnb_4bit_use_double_quant = bnb_4bit_use_double_quant
        self.chat_template = chat_template
        self.save_merged = save_merged
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
        except Exception as err:
            raise self._load_error("the tokenizer of", err, weights=False) from err
        if self.eos_token:
            tokenizer.eos_token = self.eos_token
        if self.chat_template:
            tokenizer.chat_template = read_chat_template(self.chat_template)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        tokenizer.padding_side = "left"
        return tokenizer

    def load_config(self) -> Any:
        """The model's config alone (a small file, or a GGUF header): enough for a memory estimate."""
        from transformers import AutoConfig

        name, extra = self._source()
        return AutoConfig.from_pretrained(name, trust_remote_code=self.trust_remote_code, **extra)

    def load(self, tokenizer: Any = None) -> LoadedModel:
        """Model weights (+ the tokenizer, unless one from :meth:`load_tokenizer` is passed in)."""
        import torch
        from transformers import AutoModelForCausalLM

        tokenizer = tokenizer if tokenizer is not None else self.load_tokenizer()
        guard_empty_attention_rows()  # left-padded rows must not NaN the SDPA backward (see the module)
        name, extra = self._source()
        kwargs: dict[str, Any] = {"trust_remote_code": self.trust_remote_code, **extra}
        kwargs["dtype"] = self.dtype if self.dtype == "auto" else getattr(torch, self.dtype)
        if self.attn_implementation:
            kwargs["attn_implementation"] = self.attn_implementation
        if self.load_in_4bit or self.load_in_8bit:
            kwargs.update(
                quantization_kwargs(
                    4 if self.load_in_4bit else 8,
                    self.bnb_4bit_quant_type,
                    self.bnb_4bit_use_double_quant,
                    self.bnb_4bit_compute_dtype,
                    torch,
                )
            )
        try:
            config = self.load_config() if self.lora.get("enabled") else None
            if config is not None:  # a missing target module would fail only after the weights load
                check_lora_targets(config, self.lora["target_modules"])
            model = AutoModelForCausalLM.from_pretrained(name, **kwargs)
        except RlvrError:
            raise
        except Exception as err:
            raise self._load_error("model", err, weights=True) from err
        if "gguf_file" in extra:
            _clear_gguf_marks(model)
        if self.eos_token:
            model.generation_config.eos_token_id = tokenizer.eos_token_id
            model.config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        return LoadedModel(model, tokenizer, self._peft_config(), self.save_merged)

    def _load_error(self, what: str, err: Exception, weights: bool) -> Exception:
        """A failed load as one ModelError. A local path is diagnosed from its files (an empty directory,
        no config.json, a config that is not JSON, a cut weights or GGUF file: :mod:`rlvr.models.files`);
        a hub id that cannot be fetched says "Offline?"; anything else (out of memory, a bug) stays."""
        name = self.model_name_or_path
        if "out of memory" in str(err).lower():
            return err
        if _looks_local(name):
            problem = local_model_problem(resolve_path(name), weights) or unreadable(resolve_path(name), err)
            return ModelError(
                f"could not load {what} {name!r}: {problem}. Fix: point "
                "model.model_name_or_path at a directory with config.json, the tokenizer and the weights, or at "
                "a .gguf file (download it again if it was cut short)"
            )
        if isinstance(err, OSError):
            return ModelError(
                f"could not load {what} {name!r}: {str(err).splitlines()[0].rstrip('.')}. Offline? Set "
                "model.model_name_or_path to a local directory or .gguf file."
            )
        return err

    def _peft_config(self) -> Any | None:
        if not self.lora.get("enabled"):
            return None
        from peft import LoraConfig

        return LoraConfig(
            r=int(self.lora["r"]),
            lora_alpha=int(self.lora["alpha"]),
            lora_dropout=float(self.lora["dropout"]),
            target_modules=self.lora["target_modules"],
            modules_to_save=self.lora.get("modules_to_save"),
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
        lora = {**DEFAULT_LORA, **(kwargs.get("lora") or {})}
        for key in set(lora) - set(DEFAULT_LORA):
            issues.append(
                ConfigIssue(
                    f"{prefix}.lora.{key}", lora[key], "unknown LoRA key", f"use {', '.join(DEFAULT_LORA)}"
                )
            )
        issues += quantization_issues(prefix, kwargs, lora, name)
        template = kwargs.get("chat_template")
        is_file = isinstance(template, str) and template.endswith((".jinja", ".j2"))
        if is_file and (problem := missing_path_problem(template)):
            fix = "point it at an existing .jinja file, or give the template text itself"
            issues.append(ConfigIssue(f"{prefix}.chat_template", template, problem, fix))
        elif isinstance(template, str) and template:
            issues += chat_template_issues(f"{prefix}.chat_template", read_chat_template(template))
        return issues + save_merged_issues(prefix, kwargs, lora)


def save_merged_issues(prefix: str, kwargs: dict[str, Any], lora: dict[str, Any]) -> list[ConfigIssue]:
    """``save_merged`` only means something with a LoRA adapter to merge."""
    if not (kwargs.get("save_merged") and not lora.get("enabled")):
        return []
    return [
        ConfigIssue(
            f"{prefix}.save_merged",
            True,
            "without LoRA the saved model is already a full model",
            f"set {prefix}.save_merged=false (or enable {prefix}.lora)",
        )
    ]


def quantization_issues(
    prefix: str, kwargs: dict[str, Any], lora: dict[str, Any], name: str
) -> list[ConfigIssue]:
    """4-/8-bit bases need a LoRA adapter on top, exclude each other, and do not apply to GGUF files."""
    issues = []
    chosen = [key for key in ("load_in_4bit", "load_in_8bit") if kwargs.get(key)]
    if len(chosen) == 2:
        issues.append(
            ConfigIssue(
                f"{prefix}.load_in_8bit",
                True,
                "cannot be combined with load_in_4bit",
                "choose one of the two",
            )
        )
    for key in chosen:
        if not lora.get("enabled"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}",
                    True,
                    "quantised weights cannot be trained directly (QLoRA trains a LoRA adapter on top)",
                    f"set {prefix}.lora.enabled=true or {prefix}.{key}=false",
                )
            )
        if name.endswith(".gguf") or kwargs.get("gguf_file"):
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}",
                    True,
                    "a GGUF file is already quantised and is dequantised on load",
                    f"set {prefix}.{key}=false",
                )
            )
    return issues


def read_chat_template(value: str) -> str:
    """The template text: ``value`` itself, or the contents of the ``.jinja`` file it names."""
    if value.endswith((".jinja", ".j2")):
        return resolve_path(value).read_text(encoding="utf-8")
    return value


def _clear_gguf_marks(model: Any) -> None:
    """A GGUF file is dequantised to a plain float model on load, but transformers keeps the quantizer
    marks, which make ``save_pretrained`` refuse. Clear them so the trained model can be saved."""
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
