"""Build components from their config nodes.

A node's ``_target_`` names a class or function; every other key is a constructor argument. Only this
module (and the orchestrator) sees a ``DictConfig``: components receive plain Python values, so
they can be constructed the same way from tests and notebooks.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any

from omegaconf import DictConfig, OmegaConf

from rlvr.config.errors import ConfigIssue


def node_to_kwargs(node: DictConfig | dict) -> tuple[str, dict[str, Any]]:
    """Split a component node into its ``_target_`` path and plain-Python keyword arguments."""
    data = OmegaConf.to_container(node, resolve=True) if isinstance(node, DictConfig) else dict(node)
    target = data.pop("_target_", None)
    if not target:
        raise ValueError("config node has no _target_")
    return target, data


def locate_target(path: str) -> Any:
    """Import the object a ``_target_`` names (``package.module.Name``): the longest prefix that is a
    module, then attributes. An error inside an existing module (a syntax error, a missing dependency,
    any exception at import) is raised as it is, never mistaken for "no such module"."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        name = ".".join(parts[:end])
        try:
            found: Any = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name is not None and (name == err.name or name.startswith(f"{err.name}.")):
                continue  # this prefix is no module: a shorter one may be
            raise
        for attribute in parts[end:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(f"no module named {parts[0]!r}", name=parts[0])


def import_problem(path: str, err: BaseException) -> tuple[str, str]:
    """(rule, fix) for a ``_target_`` that does not import: the real cause, with its file and line."""
    if isinstance(err, SyntaxError):
        return (
            f"cannot import it: syntax error in {err.filename} line {err.lineno}: {err.msg}",
            "fix that line of the module",
        )
    if isinstance(err, ModuleNotFoundError) and err.name and not path.startswith(f"{err.name}."):
        return (
            f"cannot import it: its module imports {err.name!r}, which is not installed",
            f"pip install the package that provides {err.name!r}",
        )
    if isinstance(err, ModuleNotFoundError):
        return (
            f"cannot import it: no module named {err.name!r}",
            "check the dotted path and that its package is installed",
        )
    if isinstance(err, AttributeError):
        return f"cannot import it: {err}", "check the name after the module's dotted path"
    frames = traceback.extract_tb(err.__traceback__)
    where = f"{frames[-1].filename} line {frames[-1].lineno}" if frames else "the module"
    return (
        f"cannot import it: importing it raised {type(err).__name__}: {err}",
        f"fix {where} so that the module imports",
    )


def target_or_issue(key: str, path: Any) -> tuple[Any, ConfigIssue | None]:
    """Import ``path``; on failure return an issue naming the key, the value, the real cause and the fix
    (never raise: validation reports every broken ``_target_`` at once)."""
    if not isinstance(path, str):
        return None, ConfigIssue(
            key, path, "_target_ must be a dotted import path", "use package.module.Name"
        )
    try:
        return locate_target(path), None
    except Exception as err:  # noqa: BLE001 - whatever the import raised, it becomes one issue
        rule, fix = import_problem(path, err)
        return None, ConfigIssue(key, path, rule, fix)


def build(node: DictConfig | dict, **extra: Any) -> Any:
    """Construct the object a node describes; ``extra`` passes runtime objects (e.g. the prompt)."""
    target, kwargs = node_to_kwargs(node)
    return locate_target(target)(**kwargs, **extra)
