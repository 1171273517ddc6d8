"""Which generator makes completions: one vocabulary and one ``auto`` rule for rollouts and evaluation.

    python run_pipeline.py train.rollout.backend=fast   # rlvr's engine (what auto means on a CUDA GPU)
    python run_pipeline.py train.rollout.backend=hf     # the model's own generate, through TRL (CPU's auto)
    python run_pipeline.py eval.backend=hf              # the same choice for the evaluator

``train.rollout.backend`` and ``eval.backend`` take the same names (:data:`BACKENDS`); ``vllm`` is TRL's
vLLM path and exists for rollouts only. ``trl``, the rollouts' old name for ``hf``, is still accepted with a
one-line deprecation warning. :func:`choose` is the rule, a pure function of three facts, so validation and
the memory estimate (which run before anything is loaded) and the trainer and evaluator (which ask the
loaded model) decide alike; :func:`resolve_backend` gathers the facts at run time. Nothing here imports
torch except to ask for CUDA.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, Literal, get_args

from rlvr.config.types import Renamed
from rlvr.config.validate import UNSLOTH_VLLM
from rlvr.console import warn
from rlvr.errors import ConfigError

Backend = Literal["auto", "fast", "hf", "vllm"]
#: Every name ``train.rollout.backend`` and ``eval.backend`` accept (``vllm``: rollouts only).
BACKENDS: tuple[str, ...] = get_args(Backend)
#: Old spellings → today's name; accepted everywhere, with a warning when a component is built.
ALIASES = {"trl": "hf"}
#: ``eval.backend``: the same names but ``vllm`` (TRL's vLLM path makes rollouts, not evaluations), old
#: spellings read as today's.
EvalBackend = Annotated[Literal["auto", "fast", "hf"], *(Renamed(old, new) for old, new in ALIASES.items())]


def canonical(backend: str) -> str:
    """``backend`` under today's name (``trl`` → ``hf``); anything else unchanged."""
    return ALIASES.get(backend, backend)


def deprecated(key: str, backend: str) -> str:
    """``backend`` under today's name, warning once per component build when ``key`` used an old one."""
    if backend in ALIASES:
        warn(f"{key}={backend} is deprecated; it means {key}={ALIASES[backend]}, the name to use from now on")
    return canonical(backend)


def choose(backend: str, *, cuda: bool, unsloth_vllm: bool = False) -> str:
    """The generator ``backend`` names: ``auto`` → ``fast`` on a CUDA GPU, ``hf`` elsewhere, and ``hf`` when
    the model carries Unsloth's vLLM engine (``model.fast_inference=true``: its ``generate`` is that engine);
    a named backend is kept (``trl`` read as ``hf``)."""
    backend = canonical(backend)
    if backend != "auto":
        return backend
    return "fast" if cuda and not unsloth_vllm else "hf"


def resolve_backend(backend: str, model: Any = None) -> str:
    """:func:`choose` with the facts of this process: CUDA, and Unsloth's vLLM engine on ``model``.
    ``vllm`` while Unsloth is imported is a :class:`ConfigError` (validation says it first)."""
    if "unsloth" in sys.modules and canonical(backend) == "vllm":
        raise ConfigError(str(UNSLOTH_VLLM))
    if canonical(backend) != "auto":
        return canonical(backend)
    import torch

    return choose(backend, cuda=torch.cuda.is_available(), unsloth_vllm=_carries_vllm(model))


def _carries_vllm(model: Any) -> bool:
    return getattr(model, "vllm_engine", None) is not None
