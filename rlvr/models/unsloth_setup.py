"""Is this environment ready for Unsloth? Answered from package metadata first, then by importing it.

    check_environment(fast_inference=False)   # metadata only: installed? versions that fit? vLLM?
    unsloth = import_unsloth()                # the import itself, its failures as one-line SetupErrors

Everything here runs after validation and before any model is loaded (the train and eval modes call
:meth:`rlvr.models.unsloth.UnslothModel.prepare`). The metadata checks import neither torch nor
Unsloth, so a missing package or a version conflict is reported in a second, with the install command.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import sys
from typing import Any

from rlvr.console import warn
from rlvr.errors import SetupError

#: The pins of pyproject's ``unsloth`` extra (a test keeps the two equal).
UNSLOTH_PINS = ("unsloth==2026.10.9", "unsloth-zoo==2026.10.9", "trl==1.15.0")
INSTALL = 'pip install -e ".[unsloth]"'
CPU_INSTALL = "on a machine without a GPU use the recipe of `make test-unsloth` (README, Unsloth)"
#: Packages whose versions Unsloth constrains and rlvr also depends on.
_CHECKED = ("unsloth-zoo", "trl", "transformers", "datasets", "torch", "peft", "accelerate", "bitsandbytes")


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-")


def check_environment(fast_inference: bool = False) -> None:
    """Raise :class:`SetupError` (exit 5) when Unsloth is missing, conflicts with what is installed, or
    ``fast_inference`` is asked for without vLLM. Reads package metadata only."""
    missing = [name for name in ("unsloth", "unsloth-zoo") if _version(name) is None]
    if missing:
        raise SetupError(
            f"model_component=unsloth needs {' and '.join(missing)}, which is not installed: {INSTALL} "
            f"(pins {', '.join(UNSLOTH_PINS)}); {CPU_INSTALL}"
        )
    if conflicts := version_conflicts():
        pins = {_canonical(p.split("==")[0]): p for p in UNSLOTH_PINS}
        fixes = [pins.get(name, f"{name}{spec}") for name, spec, _ in conflicts]
        found = "; ".join(
            f"it needs {name}{spec} but {name} {have} is installed" for name, spec, have in conflicts
        )
        raise SetupError(
            f"unsloth {_version('unsloth')} does not fit this environment: {found}. "
            f"Install the versions that work together: pip install {' '.join(repr(f) for f in fixes)} "
            f"(rlvr's unsloth extra: {', '.join(UNSLOTH_PINS)})"
        )
    if fast_inference and importlib.util.find_spec("vllm") is None:
        raise SetupError(
            "model.fast_inference=true runs Unsloth's rollouts in vLLM, which is not installed: "
            "pip install vllm (a build matching your torch and CUDA), or set model.fast_inference=false"
        )


def version_conflicts() -> list[tuple[str, str, str]]:
    """``(package, specifier, installed version)`` for each package Unsloth's metadata constrains to a
    range the installed version is outside of."""
    from packaging.requirements import InvalidRequirement, Requirement

    conflicts = []
    for line in importlib.metadata.requires("unsloth") or []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        name = _canonical(requirement.name)
        if name not in _CHECKED or not requirement.specifier:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        have = _version(name)
        if have is not None and not requirement.specifier.contains(have, prereleases=True):
            conflicts.append((name, str(requirement.specifier), have))
    return conflicts


def import_unsloth() -> Any:
    """``import unsloth`` (it patches transformers and TRL as it loads), with its failures turned into
    :class:`SetupError`; on a machine without a GPU, say that Unsloth's CPU fallback is training."""
    if "unsloth" in sys.modules:
        return sys.modules["unsloth"]
    try:
        import unsloth
    except NotImplementedError as err:  # no accelerator and UNSLOTH_DISABLE_CPU_FALLBACK=1
        raise SetupError(
            f"Unsloth found no GPU ({err}); UNSLOTH_DISABLE_CPU_FALLBACK=1 forbids its CPU fallback. "
            "Run on a CUDA GPU, or unset UNSLOTH_DISABLE_CPU_FALLBACK to train on the CPU (slowly)"
        ) from err
    except Exception as err:  # an import failure is an environment problem; debug=true shows the traceback
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        hint = ""
        if _version("torchvision") and not os.path.exists("/proc/driver/nvidia/version"):
            hint = (
                " Without a GPU a torchvision that does not match the CPU torch stops Unsloth's import, "
                "and its CPU fallback does not use torchvision: pip uninstall -y torchvision."
            )
        raise SetupError(f"Unsloth failed to import ({type(err).__name__}: {reason}).{hint}") from err
    if getattr(unsloth, "DEVICE_TYPE", None) == "cpu":
        warn(
            "model_component=unsloth without a GPU: Unsloth's CPU fallback trains with stock transformers, "
            "PEFT and TRL (none of its kernels), slowly; UNSLOTH_DISABLE_CPU_FALLBACK=1 makes this an error"
        )
    return unsloth


def on_cpu() -> bool:
    """Whether the imported Unsloth chose its CPU backend."""
    return getattr(sys.modules.get("unsloth"), "DEVICE_TYPE", None) == "cpu"
