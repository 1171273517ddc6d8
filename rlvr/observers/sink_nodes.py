"""``observer.sinks``: name → a node with a ``_target_`` (an :class:`rlvr.interfaces.Sink`) and its keys.

    python run_pipeline.py observer.sinks.wandb.enabled=true observer.sinks.tensorboard.enabled=true
    python run_pipeline.py observer.sinks.console=null            # no console output at all

Every node may carry ``enabled`` (default true), which the observer reads and the sink never sees, so the
optional outputs can sit in the YAML switched off. A sink is built from its node with secrets masked and
wrapped so that every call it receives is masked too (:func:`rlvr.redaction.redacting`): whatever it
writes — a W&B run file, an event file, a user's CSV — never holds a secret. Validation gives each enabled
node the checks of a component node (import, binding with did-you-mean, types, its own
``config_issues``) and checks that the class has the members of the protocol; a switched-off node is
bound and type-checked only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rlvr.config.build import build, locate_target, target_or_issue
from rlvr.config.errors import ConfigIssue
from rlvr.config.types import annotation_issues
from rlvr.redaction import redact, redacting

#: The YAML's ``sinks`` (``conf/observer_component/default.yaml``), for ``RunObserver()`` built from Python;
#: ``tests/config/test_code_defaults.py`` keeps the two equal.
DEFAULT_SINKS: dict[str, Any] = {
    "jsonl": {"_target_": "rlvr.observers.sinks.JsonlSink", "filename": "metrics.jsonl"},
    "console": {"_target_": "rlvr.observers.sinks.ConsoleSink", "level": "normal"},
    "wandb": {
        "_target_": "rlvr.observers.wandb_sink.WandbSink",
        "enabled": False,
        "project": "rlvr",
        "entity": None,
        "name": None,
        "group": None,
        "tags": [],
        "notes": None,
        "mode": "online",
        "completions_every": 0,
    },
    "tensorboard": {
        "_target_": "rlvr.observers.tensorboard_sink.TensorBoardSink",
        "enabled": False,
        "subdir": "tensorboard",
    },
}
#: The members of :class:`rlvr.interfaces.Sink`, checked on every enabled sink's class.
MEMBERS = ("start", "log", "table", "alarm", "finish", "completions_every")


def build_sinks(nodes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The enabled sinks, by name, in the nodes' order; a node may also be a ready sink object."""
    sinks = {}
    for name, node in (DEFAULT_SINKS if nodes is None else nodes).items():
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
    """Every problem in the ``sinks`` mapping, each node checked like a component node."""
    if nodes is None:
        return []
    if not isinstance(nodes, Mapping):
        return [
            ConfigIssue(prefix, nodes, "must map names to sink nodes", f"e.g. {prefix}.console.level=quiet")
        ]
    issues = []
    for name, node in nodes.items():
        issues += _node_issues(f"{prefix}.{name}", node)
    return issues


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
    if not isinstance(enabled, bool):
        return [ConfigIssue(f"{key}.enabled", enabled, "must be true or false", f"set {key}.enabled=true")]
    settings = {k: v for k, v in node.items() if k != "enabled"}
    if not enabled:  # switched off: its keys still bind (a typo is caught), its own rules wait until it is on
        target, issue = target_or_issue(f"{key}._target_", settings.pop("_target_", None))
        if issue:
            return [issue]
        return bind_issues(key, target, settings, str(node["_target_"])) + annotation_issues(
            key, target, settings
        )
    issues = component_issues(key, settings)
    if issues:
        return issues
    target = locate_target(settings["_target_"])
    missing = [m for m in MEMBERS if not hasattr(target, m)]
    if missing:
        issues.append(
            ConfigIssue(
                f"{key}._target_",
                settings["_target_"],
                f"not a sink: it has no {', '.join(missing)}",
                "give it start, log, table, alarm, finish and completions_every (rlvr.interfaces.Sink)",
            )
        )
    return issues
