"""Build components from their config nodes.

A node's ``_target_`` names a class or function; every other key is a constructor argument. Only this
module (and the orchestrator) sees a ``DictConfig``: components receive plain Python values, so
they can be constructed the same way from tests and notebooks.
"""

from __future__ import annotations

from typing import Any

from hydra.utils import get_object
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
    """Import the object a ``_target_`` names (``package.module.Name``)."""
    return get_object(path)


def target_or_issue(key: str, path: Any) -> tuple[Any, ConfigIssue | None]:
    """Import ``path``; on failure return an issue naming the key, the value and the fix (never raise:
    validation reports every broken ``_target_`` at once)."""
    if not isinstance(path, str):
        return None, ConfigIssue(
            key, path, "_target_ must be a dotted import path", "use package.module.Name"
        )
    try:
        return locate_target(path), None
    except Exception as err:  # hydra wraps ImportError/AttributeError in its own types
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return None, ConfigIssue(
            key,
            path,
            f"cannot import it ({reason})",
            "check the dotted path and that its package is installed",
        )


def build(node: DictConfig | dict, **extra: Any) -> Any:
    """Construct the object a node describes; ``extra`` passes runtime objects (e.g. the prompt)."""
    target, kwargs = node_to_kwargs(node)
    return locate_target(target)(**kwargs, **extra)
