"""Unsloth's ``FastLanguageModel``: the policy loaded and LoRA-wrapped the way Unsloth documents.

    python run_pipeline.py model_component=unsloth model.load_in_4bit=true

Unsloth patches transformers and TRL while it is imported, so it must be imported before them: the
train and eval modes call :meth:`UnslothModel.prepare` first (``rlvr/modes/__init__.py``). In unsloth
2026.10 that import applies its GRPO patches itself (``PatchFastRL`` runs inside ``unsloth.models``),
so the older notebooks' explicit ``PatchFastRL("GRPO", FastLanguageModel)`` is not needed.

``load`` calls ``FastLanguageModel.from_pretrained`` and then ``FastLanguageModel.get_peft_model`` with
Unsloth's gradient checkpointing, and hands the trainer the wrapped model (``peft_config`` None).
``max_seq_length`` defaults to the prompt-token budget plus ``train.max_completion_length``. The
tokenizer is rlvr's (left padding, pad token, EOS and chat-template overrides; :class:`HFModel`), the
one the data component counted prompt tokens with. Without a GPU Unsloth runs its documented CPU
fallback (stock transformers + PEFT + TRL). Saving goes through the trainer (adapter) and
:mod:`rlvr.models.saving` (``save_merged``: a plain float model that ``from_pretrained`` loads).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from rlvr.config.errors import ConfigIssue
from rlvr.config.types import AtLeast, AtMost
from rlvr.errors import SetupError
from rlvr.interfaces import LoadedModel
from rlvr.models.files import load_error
from rlvr.models.hf import Dtype, HFModel, quantization_issues, save_merged_issues, source_issues
from rlvr.models.lora import UnslothLora, lora_enabled
from rlvr.models.unsloth_setup import check_environment, import_unsloth, on_cpu
from rlvr.rollout.attention_mask import guard_empty_attention_rows

#: A token count that must be positive when set.
Tokens = Annotated[int, AtLeast(1)] | None
#: Prompt tokens assumed when neither max_seq_length nor max_prompt_tokens is set.
PROMPT_TOKENS = 512


class UnslothModel:
    """Loads the policy with ``FastLanguageModel`` (LoRA or full fine-tuning, 4-/8-/16-bit)."""

    def __init__(
        self,
        model_name_or_path: str,
        revision: str | None = None,
        dtype: Dtype = "auto",
        max_seq_length: Tokens = None,
        max_prompt_tokens: Tokens = None,
        max_completion_length: Tokens = None,
        load_in_4bit: bool = False,
        load_in_8bit: bool = False,
        gradient_checkpointing: bool | Literal["unsloth"] = "unsloth",
        random_state: int = 3407,
        fast_inference: bool = False,
        gpu_memory_utilization: Annotated[float, AtLeast(0, strict=True), AtMost(1)] = 0.5,
        trust_remote_code: bool = False,
        eos_token: str | None = None,
        chat_template: str | None = None,
        save_merged: bool = False,
        lora: UnslothLora | None = None,
        gguf_file: None = None,  # only so mode=eval can name an adapter's base; Unsloth reads no GGUF
    ):
        self.model_name_or_path = model_name_or_path
        self.revision = revision
        self.dtype = dtype
        self.max_seq_length = max_seq_length
        self.max_prompt_tokens = max_prompt_tokens
        self.max_completion_length = max_completion_length
        self.load_in_4bit = load_in_4bit
        self.load_in_8bit = load_in_8bit
        self.gradient_checkpointing = gradient_checkpointing
        self.random_state = random_state
        self.fast_inference = fast_inference
        self.gpu_memory_utilization = gpu_memory_utilization
        self.save_merged = save_merged
        self.lora = UnslothLora.of(lora)
        self._hf = HFModel(
            model_name_or_path,
            revision=revision,
            trust_remote_code=trust_remote_code,
            eos_token=eos_token,
            chat_template=chat_template,
        )

    @staticmethod
    def prepare(kwargs: dict[str, Any]) -> None:
        """Before anything imports transformers or TRL: check the environment (package metadata only),
        then import Unsloth so its patches apply. Each problem is a :class:`SetupError` (exit 5)."""
        check_environment(bool(kwargs.get("fast_inference")))
        import_unsloth()

    def sequence_length(self) -> int:
        """``max_seq_length``, or the prompt budget plus the completion length."""
        if self.max_seq_length:
            return int(self.max_seq_length)
        return int(self.max_prompt_tokens or PROMPT_TOKENS) + int(self.max_completion_length or 256)

    def load_tokenizer(self) -> Any:
        """rlvr's tokenizer (left padding, pad token set): no weights, and no Unsloth import."""
        return self._hf.load_tokenizer()

    def load_config(self) -> Any:
        return self._hf.load_config()

    def load(self, tokenizer: Any = None) -> LoadedModel:
        """``FastLanguageModel.from_pretrained`` + ``get_peft_model``; the model comes back LoRA-wrapped."""
        self.prepare({"fast_inference": self.fast_inference})
        import torch
        from unsloth import FastLanguageModel

        tokenizer = tokenizer if tokenizer is not None else self.load_tokenizer()
        guard_empty_attention_rows()
        if self.fast_inference and on_cpu():
            raise SetupError(
                "model.fast_inference=true runs vLLM, which needs a CUDA GPU; set model.fast_inference=false"
            )
        try:
            model, _ = FastLanguageModel.from_pretrained(**self._load_kwargs(torch))
        except OSError as err:
            if error := load_error(self.model_name_or_path, "model", err, weights=True, gguf=False):
                raise error from err
            raise
        except NotImplementedError as err:  # Unsloth's word for "not on this hardware"
            raise SetupError(f"Unsloth cannot load {self.model_name_or_path!r} here: {err}") from err
        if self.lora.enabled:
            model = FastLanguageModel.get_peft_model(model, **self._lora_kwargs())
        if self._hf.eos_token:
            model.config.eos_token_id = tokenizer.eos_token_id
            model.generation_config.eos_token_id = tokenizer.eos_token_id
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        return LoadedModel(model, tokenizer, None, self.save_merged)

    def _load_kwargs(self, torch: Any) -> dict[str, Any]:
        name, _ = self._hf._source()
        kwargs: dict[str, Any] = {
            "model_name": name,
            "max_seq_length": self.sequence_length(),
            "dtype": None if self.dtype == "auto" else getattr(torch, self.dtype),
            "load_in_4bit": self.load_in_4bit,
            "load_in_8bit": self.load_in_8bit,
            "full_finetuning": not self.lora.enabled,
            "use_gradient_checkpointing": self.gradient_checkpointing,
            "random_state": self.random_state,
            "trust_remote_code": self._hf.trust_remote_code,
            "revision": self.revision,
        }
        if self.fast_inference:
            kwargs.update(
                fast_inference=True,
                gpu_memory_utilization=self.gpu_memory_utilization,
                max_lora_rank=self.lora.r,
            )
        return kwargs

    def _lora_kwargs(self) -> dict[str, Any]:
        return {
            **self.lora.adapter_kwargs(),
            "use_gradient_checkpointing": self.gradient_checkpointing,
            "random_state": self.random_state,
            "max_seq_length": self.sequence_length(),
        }

    @staticmethod
    def config_issues(prefix: str, kwargs: dict[str, Any]) -> list[ConfigIssue]:
        """The rules across keys, checked without importing Unsloth (or torch); each value's type, bounds
        and ``lora`` are checked from the annotations, the environment by :meth:`prepare`."""
        name = str(kwargs.get("model_name_or_path") or "")
        gguf = bool(kwargs.get("gguf_file")) or name.endswith(".gguf")
        lora = lora_enabled(kwargs.get("lora"))
        issues = source_issues(prefix, kwargs, model_path=not gguf)
        if gguf:
            key = "gguf_file" if kwargs.get("gguf_file") else "model_name_or_path"
            issues.append(
                ConfigIssue(
                    f"{prefix}.{key}",
                    kwargs.get(key),
                    "Unsloth loads safetensors checkpoints, not GGUF files",
                    "use model_component=default for a .gguf file",
                )
            )
        # the HF loader's rules for 4-/8-bit and merged saving (GGUF is refused above, not dequantised)
        return (
            issues
            + quantization_issues(prefix, kwargs, lora, gguf=False)
            + save_merged_issues(prefix, kwargs, lora)
        )
