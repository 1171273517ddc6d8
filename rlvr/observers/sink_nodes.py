"""``observer.sinks``: name → a node with a ``_target_`` (an :class:`rlvr.interfaces.Sink`) and its keys.

    python run_pipeline.py observer.sinks.wandb.enabled=true observer.sinks.tensorboard.enabled=true
    python run_pipeline.py observer.sinks.console=null            # no console output at all

Every node may carry ``enabled`` (default true), which the observer reads and the sink never sees, so the
optional outputs can sit in the YAML switched off. A sink is built from its node with secrets masked and
wrapped so that every call it receives is masked too (:func:`rlvr.redaction.redacting`): whatever it
writes — a W&B run file, an event file, a user's CSV — never holds a secret. A sink's options are its
constructor's parameters, typed there (``Literal`` choices, ``Annotated`` bounds): validation gives each
enabled node the checks of any component node (:func:`rlvr.config.validate.component_issues`: import,
binding with did-you-mean, types, its own ``config_issues``) and checks that the class has the members
of the protocol; a switched-off node is bound and type-checked only.

The default sinks are the YAML's (:func:`default_sinks`), read from the file rather than copied here: the
list of outputs exists once, and each option's default once more, in its sink's constructor
(``tests/config/test_code_defaults.py`` keeps those equal to the YAML).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from rlvr.config.build import build, locate_target, target_or_issue
from rlvr.config.errors import ConfigIssue
from rlvr.config.overrides import CONF_DIR
from rlvr.config.types import annotation_issues, value_issues_of
from rlvr.interfaces import Sink
from rlvr.redaction import redact, redacting

#: The members of :class:`rlvr.interfaces.Sink` (its attribute, then its methods), checked on every enabled
#: sink's class.
MEMBERS = (*Sink.__annotations__, *(n for n, v in vars(Sink).items() if callable(v) and n[0] != "_"))


def default_sinks() -> dict[str, Any]:
    """``sinks`` of ``conf/observer_component/default.yaml``: what ``RunObserver()`` built from Python uses,
    the same outputs as a run with the default config."""
    import yaml

    path = CONF_DIR / "observer_component" / "default.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["sinks"]


def build_sinks(nodes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The enabled sinks, by name, in the nodes' order; a node may also be a ready sink object."""
    sinks = {}
    for name, node in (default_sinks() if nodes is None else nodes).items():
        if node is None:
            continue
        if isinstance(node, Mapping):
            settings = {k: v for k, v in node.items() if k != "enabled"}
            if not node.get("enabled", True):
                continue
            node = build(redact(settings))
        sinks[name] = redacting(node)
    return sinks


def sinks_issues(prefix: str, nodes: Any) -> list[ConfigIssue]:
    """Every problem in the ``sinks`` mapping, each node checked like a component node (a ``sinks`` that
    is no mapping is the type check's: ``RunObserver``'s annotation)."""
    if not isinstance(nodes, Mapping):
        return []
    return [issue for name, node in nodes.items() for issue in _node_issues(f"{prefix}.{name}", node)]


def missing_package(prefix: str, package: str) -> list[ConfigIssue]:
    """An enabled sink's one rule of this machine: the package it writes with is installed."""
    if importlib.util.find_spec(package) is not None:
        return []
    return [
        ConfigIssue(
            prefix, package, f"{package} is not installed", f"pip install {package}, or drop {prefix}"
        )
    ]


def _node_issues(key: str, node: Any) -> list[ConfigIssue]:
    from rlvr.config.validate import bind_issues, component_issues

    if node is None:
        return []
    if not isinstance(node, Mapping):
        return [
            ConfigIssue(
                key, node, "must be a sink node with a _target_", f"set {key}._target_, or {key}=null"
            )
        ]
    enabled = node.get("enabled", True)
    settings = {k: v for k, v in node.items() if k != "enabled"}
    if issues := value_issues_of(f"{key}.enabled", enabled, bool):
        return issues
    if not enabled:  # switched off: its keys still bind (a typo is caught), its own rules wait until it is on
        target, issue = target_or_issue(f"{key}._target_", settings.pop("_target_", None))
        if issue:
            return [issue]
        return bind_issues(key, target, settings, node["_target_"]) + annotation_issues(key, target, settings)
    issues = component_issues(key, settings)
    missing = [] if issues else [m for m in MEMBERS if not hasattr(locate_target(settings["_target_"]), m)]
    if missing:
        issues.append(
            ConfigIssue(
                f"{key}._target_",
                settings["_target_"],
                f"not a sink: it has no {', '.join(missing)}",
                f"give it {', '.join(MEMBERS)} (rlvr.interfaces.Sink)",
            )
        )
    return issues
