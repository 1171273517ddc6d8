"""The policy's model class as its source file defines it, for an inference copy that runs transformers' code.

Unsloth (``FastLlamaModel.pre_patch``) replaces ``forward`` on transformers' classes process-wide:
``LlamaAttention``, ``LlamaDecoderLayer``, ``LlamaModel``, ``LlamaForCausalLM``. Its ``forward`` turns
any cache into legacy tuples and decodes through its own kernels, so an inference copy built from the
same class would ignore the engine's static cache and grouped decode attention. The policy keeps
Unsloth's classes (training is what they are for); the engine's copy is built from a second, private
execution of the same modeling file, whose classes no one has patched.

    >>> import transformers.models.llama.modeling_llama as llama
    >>> copy_class = unpatched_class(llama.LlamaForCausalLM)
    >>> copy_class is llama.LlamaForCausalLM, copy_class.__name__
    (False, 'LlamaForCausalLM')
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

#: Suffix of the private modules' names (``transformers.models.llama.modeling_llama<suffix>``).
SUFFIX = "_rlvr_unpatched"


def patched_forwards(model: Any) -> list[str]:
    """``Class.forward`` names of ``model``'s submodules that another package replaced: a class defined in
    a modeling module whose ``forward`` comes from elsewhere. Empty for a model nobody patched."""
    found = []
    for module in model.modules():
        cls = type(module)
        forward = cls.__dict__.get("forward")
        if forward is None or not cls.__module__.startswith(("transformers.", "transformers_modules.")):
            continue
        origin = getattr(forward, "__module__", cls.__module__)
        if origin != cls.__module__ and f"{cls.__name__}.forward ({origin})" not in found:
            found.append(f"{cls.__name__}.forward ({origin})")
    return found


def unpatched_class(cls: type) -> type:
    """``cls`` from a private execution of its modeling file (cached in ``sys.modules``): the same code,
    none of the replacements made on the loaded module. Relative imports resolve in the same package, so
    shared registries (attention functions, masks) are the ones the rest of the process uses."""
    name = cls.__module__ + SUFFIX
    fresh = sys.modules.get(name)
    if fresh is None:
        source = sys.modules[cls.__module__]
        spec = importlib.util.spec_from_file_location(name, source.__file__)
        if spec is None or spec.loader is None:
            raise ImportError(
                f"rollout engine: cannot re-read {source.__file__} for an unpatched {cls.__name__}"
            )
        fresh = importlib.util.module_from_spec(spec)
        sys.modules[name] = fresh  # before running it: decorators may look their module up
        try:
            spec.loader.exec_module(fresh)
        except BaseException:
            del sys.modules[name]
            raise
    return getattr(fresh, cls.__name__)
