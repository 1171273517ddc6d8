"""A component's code defaults equal its YAML, so building it from Python behaves like the CLI default.

Defaults are written twice (the YAML users read, the signature tests and notebooks use) and had
drifted (``eval.batch_size`` was 32 in YAML, 16 in code). Checked: each option of each group, composed,
against its ``_target_``'s signature. Not checked, on purpose:

* ``${...}`` interpolations (the value comes from elsewhere in the config);
* keys that the options sharing one target set differently: those are presets (``prompts=boxed`` vs
  ``prompts=think_answer``), not defaults;
* keys behind ``**kwargs`` (a data task's source keys, ``**source: Unpack[RowSource]``): each task's YAML
  sets them for its own dataset, so ``RowSource``'s defaults are not that task's.

A nested node typed as settings (``rollout: RolloutSettings | None = None``, :mod:`rlvr.config.settings`)
is compared with its dataclass defaults, field by field; ``None`` equals an empty mapping or list (both
mean "nothing set"). A mapping of component nodes whose code default is ``None`` (``observer.sinks``, which
the code reads from the YAML) is compared node by node with each node's own ``_target_``.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from typing import Any

from omegaconf import OmegaConf

from rlvr.config.build import locate_target
from rlvr.config.overrides import COMPONENT_GROUPS
from rlvr.config.settings import settings_class
from rlvr.config.types import parameter_hints
from tests.conftest import CONF_DIR, compose_config


def _options() -> list[tuple[str, str, dict[str, Any]]]:
    """(group/option, target path, composed node with interpolations kept) for every option."""
    found = []
    for group, node in COMPONENT_GROUPS.items():
        for path in sorted((CONF_DIR / group).glob("*.yaml")):
            cfg = compose_config([f"{group}={path.stem}"])
            values = OmegaConf.to_container(cfg[node], resolve=False)
            assert isinstance(values, dict)
            found.append((f"{group}/{path.stem}", values.pop("_target_"), values))
    return found


def _interpolated(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, (list, tuple)):
        return any(map(_interpolated, value))
    if isinstance(value, dict):
        return any(map(_interpolated, value.values()))
    return False


def _code_default(target: Any, name: str, default: Any) -> Any:
    settings = settings_class(parameter_hints(target).get(name))
    if settings is not None and default is None:  # `rollout: RolloutSettings | None = None`: its fields
        return settings.defaults()
    return list(default) if isinstance(default, tuple) else default


def _same(yaml_value: Any, code_value: Any) -> bool:
    if code_value is None and yaml_value in ({}, []):
        return True
    return (
        yaml_value == code_value
        and type(yaml_value) is type(code_value)
        or (isinstance(code_value, float) and isinstance(yaml_value, int) and yaml_value == code_value)
    )


def _target_nodes(value: Any) -> bool:
    """A non-empty mapping of component nodes (name → node with a ``_target_``, or null)."""
    nodes = [node for node in value.values() if node is not None] if isinstance(value, dict) else []
    return bool(nodes) and all(isinstance(node, dict) and "_target_" in node for node in nodes)


def _mismatches(
    where: str, target_path: str, values: dict[str, Any], presets: dict[tuple[str, str], set[str]]
) -> list[str]:
    target = locate_target(target_path)
    params = inspect.signature(target).parameters
    found = []
    for key, value in values.items():
        param = params.get(key)
        if param is None or param.default is param.empty or _interpolated(value):
            continue
        if value is None and param.default is None:
            continue  # null in both: nothing set (`eval.suite: null`, `suite: Suite | None = None`)
        if len(presets[target_path, key]) > 1:
            continue  # a preset: the options of this target choose different values
        code = _code_default(target, key, param.default)
        if code is None and _target_nodes(value):
            for name, node in value.items():
                if node is not None:
                    inner = {k: v for k, v in node.items() if k != "_target_"}
                    found += _mismatches(f"{where}: {key}.{name}", node["_target_"], inner, presets)
        elif not _same(value, code):
            found.append(f"{where}: {key}: YAML {value!r} != {target_path} default {code!r}")
    return found


def test_code_defaults_equal_the_yaml() -> None:
    options = _options()
    values_by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, target, values in options:
        for key, value in values.items():
            values_by_key[target, key].add(repr(value))
    mismatches = [
        m for where, target, values in options for m in _mismatches(where, target, values, values_by_key)
    ]
    assert not mismatches, "code defaults drifted from the YAML:\n" + "\n".join(mismatches)
