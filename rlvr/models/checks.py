"""Model settings that would otherwise fail only after the weights load, checked before they do.

* ``model.chat_template`` must parse as Jinja (checked at validation: jinja2 is light, no transformers);
* ``model.lora.target_modules`` must name modules the model has (checked on the model's config, built on
  the ``meta`` device — no weights, no memory — right before the weights load);
* generation lengths beyond the model's context (``train.max_completion_length``, ``eval.max_new_tokens``)
  get a warning once the config is read: RoPE models generate past it but degrade, others fail.
"""

from __future__ import annotations

import re
from typing import Any

from rlvr.config.errors import ConfigIssue
from rlvr.errors import ConfigError


def chat_template_issues(key: str, template: str) -> list[ConfigIssue]:
    """A template text that Jinja cannot parse (transformers would say so at the first prompt)."""
    import jinja2
    from jinja2 import nodes
    from jinja2.ext import Extension, loopcontrols

    class Generation(Extension):  # transformers' {% generation %} … {% endgeneration %} block
        tags = {"generation"}

        def parse(self, parser: Any) -> Any:
            next(parser.stream)
            return nodes.Scope(parser.parse_statements(("name:endgeneration",), drop_needle=True))

    try:
        jinja2.Environment(extensions=[loopcontrols, Generation]).parse(template)
    except jinja2.TemplateSyntaxError as err:
        shown = template if len(template) <= 60 else template[:57] + "..."
        return [
            ConfigIssue(
                key,
                shown,
                f"not a valid Jinja template (line {err.lineno}: {str(err.message).rstrip('.')})",
                "fix the template, or remove the key to use the tokenizer's own",
            )
        ]
    return []


def check_lora_targets(config: Any, target_modules: Any, key: str = "model.lora.target_modules") -> None:
    """Raise a ConfigError when a LoRA target matches no module of the model ``config`` describes."""
    if target_modules in (None, "all-linear"):
        return
    names = module_names(config)
    if names is None:
        return
    if isinstance(target_modules, str):  # PEFT: a string is a regex over full module names
        missing = [] if any(re.fullmatch(target_modules, n) for n in names) else [target_modules]
    else:
        missing = [t for t in target_modules if not any(n == t or n.endswith(f".{t}") for n in names)]
    if not missing:
        return
    linear = sorted({n.rsplit(".", 1)[-1] for n, kind in names.items() if kind == "Linear"})
    raise ConfigError(
        f"{key}={target_modules}: the model has no module named {', '.join(map(str, missing))} (its linear "
        f"layers: {', '.join(linear)}). Fix: choose from those, or use {key}=all-linear"
    )


def module_names(config: Any) -> dict[str, str] | None:
    """Module name → class name of the model ``config`` builds, on the meta device (None if it cannot)."""
    import torch
    from transformers import AutoModelForCausalLM

    try:
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config)
    except Exception:  # noqa: BLE001 - an advisory check: the real load reports its own problems
        return None
    return {name: type(module).__name__ for name, module in model.named_modules() if name}


def context_warnings(config: Any, lengths: dict[str, int | None]) -> list[str]:
    """Warnings for generation lengths (key → tokens) beyond the model's context window."""
    context = getattr(config, "max_position_embeddings", None)
    if not isinstance(context, int):
        return []
    return [
        f"{key}={value} is beyond the model's context of {context} tokens (max_position_embeddings): "
        f"generation degrades or fails past it. Fix: e.g. {key}={max(1, context // 2)}"
        for key, value in lengths.items()
        if isinstance(value, int) and value > context
    ]


def chat_template_problem(prompt: Any, tokenizer: Any) -> str | None:
    """Chat prompts need the tokenizer's chat template; without one the first prompt fails deep in
    transformers ("Cannot use chat template functions…")."""
    if not getattr(prompt, "use_chat_template", False) or getattr(tokenizer, "chat_template", None):
        return None
    return (
        "model.chat_template=None: the tokenizer has no chat template, and prompts.use_chat_template=true. "
        "Fix: set model.chat_template to a template (text or a .jinja file), or prompts.use_chat_template=false "
        "for plain-text prompts"
    )
