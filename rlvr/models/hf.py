"""Hugging Face causal LMs: a hub id, a local directory, or a single ``.gguf`` file.

The model is returned unwrapped together with a ``peft.LoraConfig`` (or None): TRL's
``GRPOTrainer(peft_config=...)`` applies the adapter, as TRL documents. ``load_in_4bit`` quantises the
base weights with bitsandbytes (QLoRA) and ``load_in_8bit`` to int8; both require ``lora.enabled``.
The ``model_component`` options (``default``, ``full``, ``qlora``) are presets of this one class.
"""

from __future__ import annotations

from typing import Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.errors import RlvrError
from rlvr.interfaces import LoadedModel
from rlvr.models.checks import chat_template_issues, check_lora_targets
from rlvr.models.files import load_error, looks_local
from rlvr.models.lora import LoraSettings, lora_enabled
from rlvr.models.quantization import quantization_kwargs
from rlvr.paths import missing_path_problem, resolve_path
from rlvr.rollout.attention_mask import guard_empty_attention_rows

Dtype = Literal["auto", "bfloat16", "float16", "float32"]
#: Attention kernels transformers accepts by name (null = its own choice).
Attention = Literal["eager", "sdpa", "flash_attention_2", "flash_attention_3", "flex_attention"]


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
        lora: LoraSettings | None = None,
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
        self.lora = LoraSettings.of(lora)

    def _source(self) -> tuple[str, dict[str, Any]]:
        """(directory or hub id, extra from_pretrained kwargs) — a ``.gguf`` path splits into dir + file."""
        name, extra = self.model_name_or_path, {}
        if looks_local(name):
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
            if error := load_error(self.model_name_or_path, "the tokenizer of", err, weights=False):
                raise error from err
            raise
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
            config = self.load_config() if self.lora.enabled else None
            if config is not None:  # a missing target module would fail only after the weights load
                check_lora_targets(config, self.lora.target_modules)
            model = AutoModelForCausalLM.from_pretrained(name, **kwargs)
        except RlvrError:
            raise
        except Exception as err:
            if error := load_error(self.model_name_or_path, "model", err, weights=True):
                raise error from err
            raise
        if "gguf_file" in extra:
            _clear_gguf_marks(model)
        if self.eos_token:
            model.generation_config.eos_token_id = tokenizer.eos_token_id
            model.config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        return LoadedModel(model, tokenizer, self._peft_config(), self.save_merged)

    def _peft_config(self) -> Any | None:
        if not self.lora.enabled:
            return None
        from peft import LoraConfig

        return LoraConfig(**self.lora.adapter_kwargs(), task_type="CAUSAL_LM")

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The rules across keys; each value's type, choices and ``lora`` are checked from the annotations."""
        name = str(kwargs.get("model_name_or_path") or "")
        gguf = name.endswith(".gguf") or bool(kwargs.get("gguf_file"))
        lora = lora_enabled(kwargs.get("lora"))
        return (
            source_issues(prefix, kwargs)
            + quantization_issues(prefix, kwargs, lora, gguf)
            + save_merged_issues(prefix, kwargs, lora)
        )


def source_issues(prefix: str, kwargs: dict[str, Any], model_path: bool = True) -> list[ConfigIssue]:
    """A local model path (``model_path``: checked) or chat-template file that does not exist, and a
    chat template Jinja cannot parse."""
    issues = []
    name = str(kwargs.get("model_name_or_path") or "")
    if model_path and looks_local(name) and (problem := missing_path_problem(name)):
        fix = "point it at an existing directory or .gguf file, or use a hub id"
        issues.append(ConfigIssue(f"{prefix}.model_name_or_path", name, problem, fix))
    template = kwargs.get("chat_template")
    is_file = isinstance(template, str) and template.endswith((".jinja", ".j2"))
    if is_file and (problem := missing_path_problem(template)):
        fix = "point it at an existing .jinja file, or give the template text itself"
        issues.append(ConfigIssue(f"{prefix}.chat_template", template, problem, fix))
    elif isinstance(template, str) and template:
        issues += chat_template_issues(f"{prefix}.chat_template", read_chat_template(template))
    return issues


def save_merged_issues(prefix: str, kwargs: dict[str, Any], lora: bool) -> list[ConfigIssue]:
    """``save_merged`` only means something with a LoRA adapter (``lora``: enabled) to merge."""
    if not kwargs.get("save_merged") or lora:
        return []
    return [
        ConfigIssue(
            f"{prefix}.save_merged",
            True,
            "without LoRA the saved model is already a full model",
            f"set {prefix}.save_merged=false (or enable {prefix}.lora)",
        )
    ]


def quantization_issues(prefix: str, kwargs: dict[str, Any], lora: bool, gguf: bool) -> list[ConfigIssue]:
    """4-/8-bit bases need a LoRA adapter (``lora``: enabled) on top, exclude each other, and do not
    apply to a GGUF file (``gguf``)."""
    chosen = [key for key in ("load_in_4bit", "load_in_8bit") if kwargs.get(key)]
    issues = []
    if len(chosen) == 2:
        rule = "cannot be combined with load_in_4bit"
        issues.append(ConfigIssue(f"{prefix}.load_in_8bit", True, rule, "choose one of the two"))
    for key in chosen:
        if not lora:
            rule = "quantised weights cannot be trained directly (QLoRA trains a LoRA adapter on top)"
            fix = f"set {prefix}.lora.enabled=true or {prefix}.{key}=false"
            issues.append(ConfigIssue(f"{prefix}.{key}", True, rule, fix))
        if gguf:
            rule = "a GGUF file is already quantised and is dequantised on load"
            issues.append(ConfigIssue(f"{prefix}.{key}", True, rule, f"set {prefix}.{key}=false"))
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
